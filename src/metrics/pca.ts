// Principal component analysis by SVD of the centred data: the linear counterpart of
// t-SNE in an embedding projector, which keeps distances between far-apart clusters
// meaningful where t-SNE does not.
import { type Tensor, tidy, ops } from '../torch/index.js';

/**
 * The first `components` principal-component coordinates of each row of x [N, D], as a
 * row-major Float32Array of N × components. Signs follow the SVD's, so equal inputs give
 * equal outputs.
 */
export function pca(x: Tensor, components = 2): Float32Array {
  if (x.ndim !== 2) throw new RangeError(`pca: expected features [N, D], got shape [${x.shape}]`);
  const [n, d] = x.shape as [number, number];
  if (!Number.isInteger(components) || components < 1 || components > Math.min(n, d)) {
    throw new RangeError(`pca: components must be an integer in [1, min(N, D) = ${Math.min(n, d)}], got ${components}`);
  }
  return tidy(() => {
    const data = x.to('float64');
    const centred = data.sub(data.mean(0, true));
    const [, , vh] = ops.linalg_svd(centred, false);
    const projected = centred.matmul(vh.narrow(0, 0, components).t());
    return Float32Array.from(projected.to('float32').contiguous().toTypedArray() as Float32Array);
  });
}
