// Segmentation overlays for reports: for each image, the image itself, its true mask and
// the predicted mask painted over it in the VOC palette (background left clear, the
// ignore ring in VOC's light 'void' colour), one row per image.
import { type Tensor, tensor, tidy, ops, stack } from '../../torch/index.js';
import { writeImageGrid, vocColormap } from '../../data/index.js';

export interface OverlayOptions {
  /** Rows drawn (the first maxImages images). Default 8. */
  maxImages?: number;
  /** Weight of the mask colour over the image. Default 0.6. */
  alpha?: number;
  /** Magnification (default 3). */
  scale?: number;
}

/** Paints masks [N, H, W] over images [N, 3, H, W] (float in [0, 1]); class 0 stays clear. */
export function paintMasks(images: Tensor, masks: Tensor, alpha = 0.6): Tensor {
  return tidy(() => {
    const [n, , h, w] = images.shape as [number, number, number, number];
    if (masks.ndim !== 3 || masks.shape[0] !== n || masks.shape[1] !== h || masks.shape[2] !== w) {
      throw new RangeError(`paintMasks: masks [${masks.shape.join(', ')}] do not match images [${images.shape.join(', ')}]`);
    }
    const palette = tensor(Float32Array.from(vocColormap(256).flat()), { shape: [256, 3] }).div(255).to(images.device);
    const m = masks.to('int64').clamp(0, 255);
    const colours = palette.indexSelect(0, m.flatten()).reshape([n, h, w, 3]).permute([0, 3, 1, 2]);
    const painted = images.mul(1 - alpha).add(colours.mul(alpha));
    return ops.where$self(m.ne(0).unsqueeze(1), painted, images);
  });
}

/** Writes the overlay grid (image | true mask | predicted mask per row) as a PNG. */
export async function segmentationOverlayPng(file: string, images: Tensor, trueMasks: Tensor, predMasks: Tensor, opts: OverlayOptions = {}): Promise<void> {
  if (images.ndim !== 4 || images.shape[1] !== 3) throw new RangeError(`segmentationOverlayPng: images must be N×3×H×W, got [${images.shape.join(', ')}]`);
  const count = Math.min(images.shape[0]!, opts.maxImages ?? 8);
  if (count === 0) throw new RangeError('segmentationOverlayPng: no images');
  const grid = tidy(() => {
    const x = images.narrow(0, 0, count);
    const img = x.dtype === 'uint8' ? x.to('float32').div(255) : x.to('float32').clamp(0, 1);
    const truth = paintMasks(img, trueMasks.narrow(0, 0, count), opts.alpha);
    const pred = paintMasks(img, predMasks.narrow(0, 0, count), opts.alpha);
    // Rows of three: interleave image, truth and prediction.
    return stack([img, truth, pred], 1).reshape([count * 3, 3, img.shape[2]!, img.shape[3]!]);
  });
  try {
    await writeImageGrid(file, grid, { cols: 3, scale: opts.scale ?? 3, padding: 2 });
  } finally {
    grid.dispose();
  }
}
