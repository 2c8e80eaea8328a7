// Per-channel standardisation, and the statistics it needs computed from a dataset.
import { type Tensor, tensor, tidy, ops } from '../../torch/index.js';
import { type Dataset } from '../dataset.js';
import { BaseTransform } from './transform.js';
import { isFloatImage } from './pixels.js';

function perChannel(values: number | readonly number[], channels: number, what: string): number[] {
  const v = typeof values === 'number' ? new Array<number>(channels).fill(values) : [...values];
  if (v.length === 1 && channels > 1) return new Array<number>(channels).fill(v[0]!);
  if (v.length !== channels) throw new Error(`normalize: ${what} has ${v.length} values but the images have ${channels} channels`);
  if (!v.every(Number.isFinite)) throw new RangeError(`normalize: ${what} must be finite numbers, got ${JSON.stringify(values)}`);
  return v;
}

/**
 * (x - mean) / std per channel. uint8 images are first scaled to [0, 1], so mean and std
 * are on that scale (as computeMeanStd returns them).
 */
export function normalize(x: Tensor, mean: number | readonly number[], std: number | readonly number[]): Tensor {
  const c = x.shape[x.ndim - 3]!;
  const m = perChannel(mean, c, 'mean');
  const s = perChannel(std, c, 'std');
  if (s.some((v) => v <= 0)) throw new RangeError(`normalize: std must be positive, got ${JSON.stringify(std)}`);
  // One multiply-add per pixel, with the uint8 scaling folded in: x·(k/std) − mean/std, k = 1/255 for uint8.
  // addcmul promotes uint8 to the float dtype of scale inside the kernel: no separate conversion pass.
  const k = isFloatImage(x) ? 1 : 1 / 255;
  const dtype = isFloatImage(x) ? x.dtype : 'float32';
  const shape = x.ndim === 4 ? [1, c, 1, 1] : [c, 1, 1];
  const scale = tensor(s.map((v) => k / v), { shape, dtype, device: x.device });
  const shift = tensor(m.map((v, i) => -v / s[i]!), { shape, dtype, device: x.device });
  return ops.addcmul(shift, x, scale);
}

export class Normalize extends BaseTransform {
  readonly kind = 'photometric' as const;
  readonly mean: number[];
  readonly std: number[];
  constructor(mean: number | readonly number[], std: number | readonly number[]) {
    super();
    this.mean = typeof mean === 'number' ? [mean] : [...mean];
    this.std = typeof std === 'number' ? [std] : [...std];
    if (this.mean.length !== this.std.length && this.mean.length !== 1 && this.std.length !== 1) {
      throw new Error(`Normalize: mean has ${this.mean.length} values but std has ${this.std.length}`);
    }
  }
  protected forward(x: Tensor): Tensor {
    return normalize(x, this.mean, this.std);
  }
}

export interface MeanStd { mean: number[]; std: number[] }

/**
 * Per-channel mean and (population) standard deviation over a dataset's images, on the
 * [0, 1] scale for uint8 images. Accumulates in float64 one batch at a time.
 */
export function computeMeanStd(dataset: Dataset, opts: { batchSize?: number; maxSamples?: number } = {}): MeanStd {
  const batchSize = opts.batchSize ?? 1024;
  const n = Math.min(dataset.length, opts.maxSamples ?? dataset.length);
  if (n <= 0) throw new Error('computeMeanStd: the dataset is empty');
  const c = dataset.imageShape[0];
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  let count = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const idx = Int32Array.from({ length: end - start }, (_, i) => start + i);
    const [s, sq, pixels] = tidy(() => {
      const b = dataset.getBatch(idx);
      const x = isFloatImage(b.inputs) ? b.inputs.double() : b.inputs.double().div(255);
      const [bn, , h, w] = x.shape as [number, number, number, number];
      return [x.sum([0, 2, 3]).toFlatArray(), x.square().sum([0, 2, 3]).toFlatArray(), bn * h * w] as const;
    });
    for (let k = 0; k < c; k++) {
      sum[k] += s[k]!;
      sumSq[k] += sq[k]!;
    }
    count += pixels;
  }
  const mean = Array.from(sum, (v) => v / count);
  const std = Array.from(sumSq, (v, k) => Math.sqrt(Math.max(0, v / count - mean[k]! ** 2)));
  return { mean, std };
}
