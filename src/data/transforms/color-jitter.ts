// Random brightness, contrast and saturation per sample (torchvision's ColorJitter
// without hue). Factors are drawn per sample and applied as N×1×1×1 tensors; the order of
// the three adjustments is drawn once per batch.
import { type Tensor, tensor } from '../../torch/index.js';
import { BaseTransform, type RandomOptions } from './transform.js';
import { inUnitFloat } from './pixels.js';
import { type Rng } from './rng.js';

type Range = readonly [number, number];
export interface ColorJitterOptions extends RandomOptions {
  /** b: factor in [max(0, 1-b), 1+b], or [min, max]. */
  brightness?: number | Range;
  contrast?: number | Range;
  saturation?: number | Range;
}

/** ITU-R 601 luma, as torchvision's rgb_to_grayscale: N×1×H×W. */
export function grayscale(x: Tensor): Tensor {
  const c = x.shape[1]!;
  if (c === 1) return x;
  if (c !== 3) throw new Error(`grayscale: expected 1 or 3 channels, got ${c}`);
  const weights = tensor([0.2989, 0.587, 0.114], { shape: [1, 3, 1, 1], dtype: x.dtype, device: x.device });
  return x.mul(weights).sum(1, true);
}

/** factor·x + (1 − factor)·other, clamped to [0, 1]. */
function blend(x: Tensor, other: Tensor | number, factor: Tensor): Tensor {
  const rest = factor.neg().add(1);
  const o = typeof other === 'number' ? rest.mul(other) : other.mul(rest);
  return x.mul(factor).add(o).clamp(0, 1);
}

export function adjustBrightness(x: Tensor, factor: Tensor): Tensor { return blend(x, 0, factor); }
export function adjustContrast(x: Tensor, factor: Tensor): Tensor { return blend(x, grayscale(x).mean([1, 2, 3], true), factor); }
export function adjustSaturation(x: Tensor, factor: Tensor): Tensor { return x.shape[1] === 1 ? x : blend(x, grayscale(x), factor); }

function factorRange(v: number | Range | undefined, what: string): Range | null {
  if (v === undefined) return null;
  if (typeof v === 'number') {
    if (!(v >= 0)) throw new RangeError(`ColorJitter: ${what} must be non-negative, got ${v}`);
    return v === 0 ? null : [Math.max(0, 1 - v), 1 + v];
  }
  if (!(v.length === 2 && v[0] >= 0 && v[0] <= v[1])) throw new RangeError(`ColorJitter: ${what} must be [min, max] with 0 <= min <= max, got ${JSON.stringify(v)}`);
  return v;
}

/** Works on [0, 1] images (uint8 input is scaled and converted back). Identity in eval mode. */
export class ColorJitter extends BaseTransform {
  readonly kind = 'photometric' as const;
  private readonly adjustments: { range: Range; fn: (x: Tensor, f: Tensor) => Tensor }[] = [];

  constructor(options: ColorJitterOptions = {}) {
    super(options);
    const add = (v: number | Range | undefined, what: string, fn: (x: Tensor, f: Tensor) => Tensor) => {
      const range = factorRange(v, what);
      if (range) this.adjustments.push({ range, fn });
    };
    add(options.brightness, 'brightness', adjustBrightness);
    add(options.contrast, 'contrast', adjustContrast);
    add(options.saturation, 'saturation', adjustSaturation);
  }

  protected forward(x: Tensor, rng: Rng): Tensor {
    if (!this.training || this.adjustments.length === 0) return x;
    const n = x.shape[0]!;
    const order = rng.permutation(this.adjustments.length);
    const factors = this.adjustments.map(({ range }) => Float32Array.from({ length: n }, () => rng.uniform(range[0], range[1])));
    return inUnitFloat(x, (xf) => {
      let y = xf;
      for (const k of order) {
        const f = tensor(factors[k]!, { shape: [n, 1, 1, 1], device: xf.device }).to(xf.dtype);
        y = this.adjustments[k]!.fn(y, f);
      }
      return y;
    });
  }
}
