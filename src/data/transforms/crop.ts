// Fixed crops (center, box) and random crops with per-sample offsets. A random crop of a
// batch is one gather over a flattened index grid, not a loop of narrow() over samples.
import { type Tensor, arange, tensor, ops } from '../../torch/index.js';
import { BaseTransform, type ImageMaskPair, type RandomOptions } from './transform.js';
import { type Size2, toSize, heightWidth } from './pixels.js';
import { type Rng } from './rng.js';

/** The box [top, top+height) × [left, left+width), zero-padded where it leaves the image. */
export function crop(x: Tensor, top: number, left: number, height: number, width: number): Tensor {
  const [h, w] = heightWidth(x);
  for (const [k, v] of Object.entries({ top, left, height, width })) {
    if (!Number.isInteger(v)) throw new RangeError(`crop: ${k} must be an integer, got ${v}`);
  }
  if (height <= 0 || width <= 0) throw new RangeError(`crop: height and width must be positive, got ${height}×${width}`);
  const padT = Math.max(0, -top);
  const padL = Math.max(0, -left);
  const padB = Math.max(0, top + height - h);
  const padR = Math.max(0, left + width - w);
  const src = padT || padL || padB || padR ? ops.constant_pad_nd(x, [padL, padR, padT, padB], 0) : x;
  return src.narrow(-2, top + padT, height).narrow(-1, left + padL, width).contiguous();
}

/** The central size crop (torchvision's rounding); an image smaller than size is zero-padded. */
export function centerCrop(x: Tensor, size: Size2): Tensor {
  const [ch, cw] = toSize(size, 'centerCrop');
  const [h, w] = heightWidth(x);
  if (ch === h && cw === w) return x;
  return crop(x, Math.round((h - ch) / 2), Math.round((w - cw) / 2), ch, cw);
}

export class CenterCrop extends BaseTransform {
  readonly kind = 'geometric' as const;
  constructor(readonly size: Size2) {
    super();
    toSize(size, 'CenterCrop');
  }
  protected forward(x: Tensor): Tensor {
    return centerCrop(x, this.size);
  }
  protected override forwardPair(images: Tensor, masks: Tensor): ImageMaskPair {
    return { images: centerCrop(images, this.size), masks: centerCrop(masks, this.size) };
  }
}

export type PaddingMode = 'zeros' | 'reflect';
export interface RandomCropOptions extends RandomOptions {
  /** Pixels added before cropping: all sides, [left/right, top/bottom], or [left, top, right, bottom]. */
  padding?: number | readonly [number, number] | readonly [number, number, number, number];
  paddingMode?: PaddingMode;
  /** Value of the padded border of segmentation masks (e.g. 255 as an ignore label). Default 0. */
  maskFill?: number;
}

function paddingLTRB(p: RandomCropOptions['padding']): [number, number, number, number] {
  const v: number[] = p === undefined ? [0, 0, 0, 0] : typeof p === 'number' ? [p, p, p, p] : p.length === 2 ? [p[0], p[1], p[0], p[1]] : [...p];
  if (v.length !== 4 || !v.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new RangeError(`RandomCrop: padding must be a non-negative integer, [lr, tb] or [l, t, r, b], got ${JSON.stringify(p)}`);
  }
  return v as [number, number, number, number];
}

function pad(x: Tensor, [l, t, r, b]: number[], mode: PaddingMode, fill = 0): Tensor {
  if (!(l || t || r || b)) return x;
  if (mode === 'zeros') return ops.constant_pad_nd(x, [l!, r!, t!, b!], fill);
  const [h, w] = heightWidth(x);
  if (Math.max(l!, r!) >= w || Math.max(t!, b!) >= h) throw new RangeError(`RandomCrop: reflect padding must be smaller than the image (${h}×${w})`);
  // reflection_pad2d has no uint8 kernel; selecting mirrored rows and columns works for every dtype.
  return x.indexSelect(-2, reflectedIndex(h, t!, b!, x.device)).indexSelect(-1, reflectedIndex(w, l!, r!, x.device));
}

/** Source positions of a reflect-padded axis of length n (edge not repeated, like numpy's 'reflect'). */
function reflectedIndex(n: number, before: number, after: number, device: string): Tensor {
  const idx = new BigInt64Array(before + n + after);
  for (let k = 0; k < idx.length; k++) {
    let i = k - before;
    if (i < 0) i = -i;
    if (i >= n) i = 2 * (n - 1) - i;
    idx[k] = BigInt(i);
  }
  return tensor(idx, { device });
}

/**
 * Crops each sample of x (N×C×H×W) at its own offset: out[n] = x[n, :, dy[n]:dy[n]+h, dx[n]:dx[n]+w].
 * unfold makes every h×w window a view (no copy); one advanced index then picks window
 * (dy[n], dx[n]) of sample n for the whole batch.
 */
export function cropPerSample(x: Tensor, dy: ArrayLike<number>, dx: ArrayLike<number>, h: number, w: number): Tensor {
  const [n, , H, W] = x.shape as [number, number, number, number];
  if (dy.length !== n || dx.length !== n) throw new Error(`cropPerSample: ${n} images but ${dy.length} and ${dx.length} offsets`);
  const rows = new BigInt64Array(n);
  const cols = new BigInt64Array(n);
  for (let k = 0; k < n; k++) {
    const oy = dy[k]!;
    const ox = dx[k]!;
    if (oy < 0 || ox < 0 || oy + h > H || ox + w > W) throw new RangeError(`cropPerSample: window ${h}×${w} at (${oy}, ${ox}) leaves the ${H}×${W} image`);
    rows[k] = BigInt(oy);
    cols[k] = BigInt(ox);
  }
  const dev = x.device;
  const windows = ops.unfold(ops.unfold(x, 2, h, 1), 3, w, 1); // N×C×(H-h+1)×(W-w+1)×h×w
  // Advanced indices on dims 0, 2, 3 (not adjacent): the indexed dimension comes first, giving N×C×h×w.
  return ops.index$Tensor(windows, [arange(0, n, 1, { device: dev }), null, tensor(rows, { device: dev }), tensor(cols, { device: dev })]);
}

export class RandomCrop extends BaseTransform {
  readonly kind = 'geometric' as const;
  private readonly hw: [number, number];
  private readonly padding: [number, number, number, number];
  private readonly mode: PaddingMode;

  constructor(readonly size: Size2, readonly options: RandomCropOptions = {}) {
    super(options);
    this.hw = toSize(size, 'RandomCrop');
    this.padding = paddingLTRB(options.padding);
    this.mode = options.paddingMode ?? 'zeros';
    if (this.mode !== 'zeros' && this.mode !== 'reflect') throw new Error(`RandomCrop: paddingMode must be 'zeros' or 'reflect', got '${this.mode}'`);
  }

  private offsets(n: number, H: number, W: number, rng: Rng): [Int32Array, Int32Array] {
    const [h, w] = this.hw;
    if (h > H || w > W) throw new RangeError(`RandomCrop: crop ${h}×${w} is larger than the padded image ${H}×${W}`);
    const dy = new Int32Array(n);
    const dx = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      dy[k] = rng.int(H - h + 1);
      dx[k] = rng.int(W - w + 1);
    }
    return [dy, dx];
  }

  protected forward(x: Tensor, rng: Rng): Tensor {
    if (!this.training) return centerCrop(x, this.hw);
    const xp = pad(x, this.padding, this.mode);
    const [H, W] = heightWidth(xp);
    const [dy, dx] = this.offsets(x.shape[0]!, H, W, rng);
    return cropPerSample(xp, dy, dx, this.hw[0], this.hw[1]);
  }

  protected override forwardPair(images: Tensor, masks: Tensor, rng: Rng): ImageMaskPair {
    if (!this.training) return { images: centerCrop(images, this.hw), masks: centerCrop(masks, this.hw) };
    const xp = pad(images, this.padding, this.mode);
    const mp = pad(masks, this.padding, this.mode, this.options.maskFill ?? 0);
    const [H, W] = heightWidth(xp);
    const [dy, dx] = this.offsets(images.shape[0]!, H, W, rng);
    return { images: cropPerSample(xp, dy, dx, this.hw[0], this.hw[1]), masks: cropPerSample(mp, dy, dx, this.hw[0], this.hw[1]) };
  }
}
