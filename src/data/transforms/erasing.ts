// Random erasing (Zhong et al.) and Cutout (DeVries & Taylor): a rectangle per sample is
// replaced by a value. All rectangles of a batch become one boolean mask built from
// broadcast comparisons, applied with one where().
import { type Tensor, arange, tensor, full, ops } from '../../torch/index.js';
import { BaseTransform, type RandomOptions } from './transform.js';
import { heightWidth, isFloatImage } from './pixels.js';
import { seededRandn } from './torch-random.js';
import { type Rng } from './rng.js';

/** A constant, one value per channel, or 'random' (standard-normal noise, for normalised images). */
export type EraseValue = number | readonly number[] | 'random';

interface Box { top: number; left: number; height: number; width: number }

/** Boolean N×1×H×W mask, true inside each sample's box (an empty box leaves the sample alone). */
export function boxMask(boxes: Box[], h: number, w: number, device: string): Tensor {
  const n = boxes.length;
  const col = (f: (b: Box) => number) => tensor(Int32Array.from(boxes, f), { shape: [n, 1, 1, 1], device });
  const rows = arange(0, h, 1, { device }).reshape(1, 1, h, 1);
  const cols = arange(0, w, 1, { device }).reshape(1, 1, 1, w);
  const top = col((b) => b.top);
  const left = col((b) => b.left);
  const inRows = rows.ge(top).logicalAnd(rows.lt(top.add(col((b) => b.height))));
  const inCols = cols.ge(left).logicalAnd(cols.lt(left.add(col((b) => b.width))));
  return inRows.logicalAnd(inCols);
}

/** x with each sample's box replaced by value. */
export function eraseBoxes(x: Tensor, boxes: Box[], value: EraseValue, noiseSeed = 0): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (value === 'random' && !isFloatImage(x)) throw new Error("erasing: value 'random' needs float images (apply it after ToFloat/Normalize)");
  if (boxes.every((b) => b.height === 0 || b.width === 0)) return x;
  const mask = boxMask(boxes, h, w, x.device);
  let fill: Tensor;
  if (value === 'random') {
    fill = seededRandn(noiseSeed, [n, c, h, w], x.device).to(x.dtype);
  } else if (typeof value === 'number') {
    fill = full([1, 1, 1, 1], value, { dtype: x.dtype, device: x.device });
  } else {
    if (value.length !== c) throw new Error(`erasing: value has ${value.length} entries but the images have ${c} channels`);
    fill = tensor([...value], { shape: [1, c, 1, 1], dtype: x.dtype, device: x.device });
  }
  return ops.where$self(mask, fill, x);
}

function checkValue(value: EraseValue, who: string): void {
  const ok = value === 'random' || (typeof value === 'number' && Number.isFinite(value)) ||
    (Array.isArray(value) && value.every((v) => Number.isFinite(v)));
  if (!ok) throw new Error(`${who}: value must be a number, a number per channel or 'random', got ${JSON.stringify(value)}`);
}

export interface RandomErasingOptions extends RandomOptions {
  /** Probability that a sample gets a box. Default 0.5. */
  p?: number;
  /** Range of the box's area as a fraction of the image. Default [0.02, 0.33]. */
  scale?: readonly [number, number];
  /** Range of the box's height/width. Default [0.3, 3.3]. */
  ratio?: readonly [number, number];
  value?: EraseValue;
}

/** torchvision's RandomErasing, per sample. Identity in eval mode. */
export class RandomErasing extends BaseTransform {
  readonly kind = 'photometric' as const;
  private readonly p: number;
  private readonly scale: readonly [number, number];
  private readonly ratio: readonly [number, number];
  private readonly value: EraseValue;

  constructor(options: RandomErasingOptions = {}) {
    super(options);
    this.p = options.p ?? 0.5;
    this.scale = options.scale ?? [0.02, 0.33];
    this.ratio = options.ratio ?? [0.3, 3.3];
    this.value = options.value ?? 0;
    if (!(this.p >= 0 && this.p <= 1)) throw new RangeError(`RandomErasing: p must be in [0, 1], got ${this.p}`);
    if (!(this.scale[0] >= 0 && this.scale[0] <= this.scale[1] && this.scale[1] <= 1)) throw new RangeError(`RandomErasing: scale must be [min, max] within [0, 1], got ${JSON.stringify(this.scale)}`);
    if (!(this.ratio[0] > 0 && this.ratio[0] <= this.ratio[1])) throw new RangeError(`RandomErasing: ratio must be [min, max] with 0 < min <= max, got ${JSON.stringify(this.ratio)}`);
    checkValue(this.value, 'RandomErasing');
  }

  private box(h: number, w: number, rng: Rng): Box {
    const none = { top: 0, left: 0, height: 0, width: 0 };
    if (!(rng.next() < this.p)) return none;
    const logLo = Math.log(this.ratio[0]);
    const logHi = Math.log(this.ratio[1]);
    for (let attempt = 0; attempt < 10; attempt++) {
      const area = h * w * rng.uniform(this.scale[0], this.scale[1]);
      const aspect = Math.exp(rng.uniform(logLo, logHi));
      const bh = Math.round(Math.sqrt(area * aspect));
      const bw = Math.round(Math.sqrt(area / aspect));
      if (bh < h && bw < w) return { top: rng.int(h - bh + 1), left: rng.int(w - bw + 1), height: bh, width: bw };
    }
    return none;
  }

  protected forward(x: Tensor, rng: Rng): Tensor {
    if (!this.training) return x;
    const [h, w] = heightWidth(x);
    const boxes = Array.from({ length: x.shape[0]! }, () => this.box(h, w, rng));
    return eraseBoxes(x, boxes, this.value, rng.nextUint32());
  }
}

export interface CutoutOptions extends RandomOptions {
  /** Probability that a sample gets a square. Default 1. */
  p?: number;
  value?: EraseValue;
}

/** A size×size square centred on a uniformly drawn pixel, clipped at the borders. Identity in eval mode. */
export class Cutout extends BaseTransform {
  readonly kind = 'photometric' as const;
  private readonly p: number;
  private readonly value: EraseValue;

  constructor(readonly size: number, options: CutoutOptions = {}) {
    super(options);
    if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`Cutout: size must be a positive integer, got ${size}`);
    this.p = options.p ?? 1;
    if (!(this.p >= 0 && this.p <= 1)) throw new RangeError(`Cutout: p must be in [0, 1], got ${this.p}`);
    this.value = options.value ?? 0;
    checkValue(this.value, 'Cutout');
  }

  protected forward(x: Tensor, rng: Rng): Tensor {
    if (!this.training) return x;
    const [h, w] = heightWidth(x);
    const half = Math.floor(this.size / 2);
    const boxes = Array.from({ length: x.shape[0]! }, () => {
      if (!(rng.next() < this.p)) return { top: 0, left: 0, height: 0, width: 0 };
      const cy = rng.int(h);
      const cx = rng.int(w);
      const top = Math.max(0, cy - half);
      const left = Math.max(0, cx - half);
      return { top, left, height: Math.min(h, cy - half + this.size) - top, width: Math.min(w, cx - half + this.size) - left };
    });
    return eraseBoxes(x, boxes, this.value, rng.nextUint32());
  }
}
