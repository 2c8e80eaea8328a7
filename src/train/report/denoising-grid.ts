// The denoising figure: noisy input, the model's output and the clean image side by side
// for each sample, with the PSNR of the noisy and of the denoised image under them.
import { type Tensor, tidy, stack } from '../../torch/index.js';
import { imageGrid } from '../../data/index.js';
import { psnrPer } from '../../metrics/index.js';

export interface DenoisingGridOptions {
  /** Samples (triples) per row of the grid. Default 4. */
  perRow?: number;
  /** Integer magnification of each image (default: cells at least 64 pixels wide). */
  scale?: number;
}

/** A PNG of (noisy, denoised, clean) triples; all three are [N, C, H, W] floats in [0, 1]. */
export async function denoisingGridPng(noisy: Tensor, denoised: Tensor, clean: Tensor, opts: DenoisingGridOptions = {}): Promise<Buffer> {
  const shapes = [noisy, denoised, clean].map((t) => `[${t.shape}]`);
  if (new Set(shapes).size !== 1) throw new RangeError(`denoisingGridPng: noisy, denoised and clean images differ in shape: ${shapes.join(', ')}`);
  const n = noisy.shape[0]!;
  const { cells, captions } = tidy(() => {
    const d = denoised.clamp(0, 1);
    const pn = psnrPer(noisy, clean).toFlatArray();
    const pd = psnrPer(d, clean).toFlatArray();
    const captions = Array.from({ length: n }, (_, i) => [`${pn[i]!.toFixed(1)} dB`, `${pd[i]!.toFixed(1)} dB`, 'clean']).flat();
    // [N, 3, C, H, W] -> 3N cells in triple order.
    const cells = stack([noisy, d, clean], 1).reshape([3 * n, ...noisy.shape.slice(1)]);
    return { cells, captions };
  });
  try {
    return await imageGrid(cells, { cols: 3 * Math.min(n, opts.perRow ?? 4), captions, fontSize: 10, ...(opts.scale ? { scale: opts.scale } : {}) });
  } finally {
    cells.dispose();
  }
}
