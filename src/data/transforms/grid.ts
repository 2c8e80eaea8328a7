// Per-sample resampling through one affine_grid_generator + grid_sampler call. theta maps
// output coordinates to input coordinates in [-1, 1] units (align_corners = false), one
// 2×3 matrix per sample.
import { type Tensor, tensor, ops } from '../../torch/index.js';
import { inFloat } from './pixels.js';

export interface GridSampleOptions {
  interpolation?: 'bilinear' | 'nearest';
  /** What lies outside the image: zeros (or fill) or the replicated border. */
  padding?: 'zeros' | 'border';
  /** Value of outside pixels with zeros padding. Default 0. */
  fill?: number;
}

export function sampleWithTheta(x: Tensor, theta: Float64Array, outHeight: number, outWidth: number, opts: GridSampleOptions = {}): Tensor {
  const [n, c] = x.shape as [number, number];
  if (theta.length !== 6 * n) throw new Error(`grid sampling: expected ${6 * n} matrix entries for ${n} images, got ${theta.length}`);
  const mode = opts.interpolation ?? 'bilinear';
  if (mode !== 'bilinear' && mode !== 'nearest') throw new Error(`interpolation must be 'bilinear' or 'nearest', got '${mode}'`);
  const modeCode = mode === 'bilinear' ? 0 : 1;
  const paddingCode = opts.padding === 'border' ? 1 : 0;
  const fill = opts.padding === 'border' ? 0 : opts.fill ?? 0;
  return inFloat(x, (xf) => {
    const t = tensor(theta, { shape: [n, 2, 3], dtype: xf.dtype, device: xf.device });
    const grid = ops.affine_grid_generator(t, [n, c, outHeight, outWidth], false);
    if (fill === 0) return ops.grid_sampler(xf, grid, modeCode, paddingCode, false);
    // Non-zero fill: warp a ones channel alongside to know how much of each output pixel came from inside.
    const withOnes = ops.cat([xf, ops.ones_like(xf.narrow(1, 0, 1))], 1);
    const warped = ops.grid_sampler(withOnes, grid, modeCode, 0, false);
    const inside = warped.narrow(1, c, 1);
    return warped.narrow(1, 0, c).add(inside.neg().add(1).mul(fill));
  });
}
