// Resizing whole batches with libtorch's upsampling kernels (as torchvision does for tensors).
import { type Tensor, ops } from '../../torch/index.js';
import { BaseTransform, type ImageMaskPair } from './transform.js';
import { type Size2, toSize, inFloat, inFloatMask, heightWidth } from './pixels.js';

export type Interpolation = 'bilinear' | 'nearest';
export interface ResizeOptions {
  interpolation?: Interpolation;
  /** Low-pass filter when shrinking (bilinear only), like PIL. Default false, like torchvision on tensors. */
  antialias?: boolean;
}

/**
 * Output [height, width]: a pair is used as given; a number is the length of the shorter
 * side, the other one keeping the aspect ratio (torchvision's convention).
 */
export function resizedShape(h: number, w: number, size: Size2): [number, number] {
  if (typeof size !== 'number') return toSize(size, 'resize');
  toSize(size, 'resize');
  if (h <= w) return [size, Math.max(1, Math.floor((size * w) / h))];
  return [Math.max(1, Math.floor((size * h) / w)), size];
}

export function resize(x: Tensor, size: Size2, opts: ResizeOptions = {}): Tensor {
  const [h, w] = heightWidth(x);
  const [oh, ow] = resizedShape(h, w, size);
  if (oh === h && ow === w) return x;
  const mode = opts.interpolation ?? 'bilinear';
  if (mode === 'nearest') return ops.upsample_nearest2d$vec(x, [oh, ow], null);
  if (mode !== 'bilinear') throw new Error(`resize: interpolation must be 'bilinear' or 'nearest', got '${mode}'`);
  return inFloat(x, (xf) => opts.antialias
    ? ops._upsample_bilinear2d_aa$vec(xf, [oh, ow], false, null)
    : ops.upsample_bilinear2d$vec(xf, [oh, ow], false, null));
}

export class Resize extends BaseTransform {
  readonly kind = 'geometric' as const;
  constructor(readonly size: Size2, readonly options: ResizeOptions = {}) {
    super();
    if (typeof size === 'number') toSize(size, 'Resize');
    else toSize(size, 'Resize');
  }
  protected forward(x: Tensor): Tensor {
    return resize(x, this.size, this.options);
  }
  protected override forwardPair(images: Tensor, masks: Tensor): ImageMaskPair {
    return { images: resize(images, this.size, this.options), masks: inFloatMask(masks, (m) => resize(m, this.size, { interpolation: 'nearest' })) };
  }
}
