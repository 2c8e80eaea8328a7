// Random crops of random area and aspect ratio, resized to a fixed size (Inception-style
// augmentation). The crop box is drawn per sample as torchvision does; cropping and
// resizing happen together in one grid_sampler call for the whole batch.
import { type Tensor } from '../../torch/index.js';
import { BaseTransform, type ImageMaskPair, type RandomOptions } from './transform.js';
import { type Size2, toSize, heightWidth, inFloatMask } from './pixels.js';
import { sampleWithTheta } from './grid.js';
import { resize } from './resize.js';
import { type Rng } from './rng.js';

export interface RandomResizedCropOptions extends RandomOptions {
  /** Range of the crop's area as a fraction of the image. Default [0.08, 1]. */
  scale?: readonly [number, number];
  /** Range of the crop's width/height. Default [3/4, 4/3]. */
  ratio?: readonly [number, number];
  interpolation?: 'bilinear' | 'nearest';
}

export interface CropBox { top: number; left: number; height: number; width: number }

/** torchvision's RandomResizedCrop.get_params: ten tries, then the central crop of a clamped ratio. */
export function randomResizedCropBox(h: number, w: number, scale: readonly [number, number], ratio: readonly [number, number], rng: Rng): CropBox {
  const area = h * w;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const cw = Math.round(Math.sqrt(target * aspect));
    const ch = Math.round(Math.sqrt(target / aspect));
    if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
      return { top: rng.int(h - ch + 1), left: rng.int(w - cw + 1), height: ch, width: cw };
    }
  }
  const inRatio = w / h;
  let cw = w;
  let ch = h;
  if (inRatio < ratio[0]) ch = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) cw = Math.round(h * ratio[1]);
  return { top: Math.floor((h - ch) / 2), left: Math.floor((w - cw) / 2), height: ch, width: cw };
}

/** Normalised matrix mapping the output grid onto each box (bilinear resize of the box with align_corners = false). */
function boxesToTheta(boxes: CropBox[], h: number, w: number): Float64Array {
  const theta = new Float64Array(6 * boxes.length);
  boxes.forEach((b, k) => {
    theta.set([b.width / w, 0, (2 * b.left + b.width) / w - 1, 0, b.height / h, (2 * b.top + b.height) / h - 1], 6 * k);
  });
  return theta;
}

export class RandomResizedCrop extends BaseTransform {
  readonly kind = 'geometric' as const;
  private readonly hw: [number, number];
  private readonly scale: readonly [number, number];
  private readonly ratio: readonly [number, number];

  constructor(readonly size: Size2, readonly options: RandomResizedCropOptions = {}) {
    super(options);
    this.hw = toSize(size, 'RandomResizedCrop');
    this.scale = options.scale ?? [0.08, 1];
    this.ratio = options.ratio ?? [3 / 4, 4 / 3];
    if (!(this.scale[0] > 0 && this.scale[0] <= this.scale[1] && this.scale[1] <= 1)) throw new RangeError(`RandomResizedCrop: scale must be [min, max] within (0, 1], got ${JSON.stringify(this.scale)}`);
    if (!(this.ratio[0] > 0 && this.ratio[0] <= this.ratio[1])) throw new RangeError(`RandomResizedCrop: ratio must be [min, max] with 0 < min <= max, got ${JSON.stringify(this.ratio)}`);
  }

  private theta(n: number, h: number, w: number, rng: Rng): Float64Array {
    const boxes = Array.from({ length: n }, () => randomResizedCropBox(h, w, this.scale, this.ratio, rng));
    return boxesToTheta(boxes, h, w);
  }

  /** Eval mode shows the whole image resized to size. */
  protected forward(x: Tensor, rng: Rng): Tensor {
    const mode = this.options.interpolation ?? 'bilinear';
    if (!this.training) return resize(x, this.hw, { interpolation: mode });
    const [h, w] = heightWidth(x);
    return sampleWithTheta(x, this.theta(x.shape[0]!, h, w, rng), this.hw[0], this.hw[1], { interpolation: mode, padding: 'border' });
  }

  protected override forwardPair(images: Tensor, masks: Tensor, rng: Rng): ImageMaskPair {
    const mode = this.options.interpolation ?? 'bilinear';
    if (!this.training) {
      return { images: resize(images, this.hw, { interpolation: mode }), masks: inFloatMask(masks, (m) => resize(m, this.hw, { interpolation: 'nearest' })) };
    }
    const [h, w] = heightWidth(images);
    const theta = this.theta(images.shape[0]!, h, w, rng);
    const [oh, ow] = this.hw;
    return {
      images: sampleWithTheta(images, theta, oh, ow, { interpolation: mode, padding: 'border' }),
      masks: inFloatMask(masks, (m) => sampleWithTheta(m, theta, oh, ow, { interpolation: 'nearest', padding: 'border' })),
    };
  }
}
