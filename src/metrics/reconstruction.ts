// Image reconstruction metrics on tensors, per image: MSE, MAE, PSNR and SSIM. They stay
// on the device (a denoiser's epoch is scored without copying images back) and are
// differentiable, so the SSIM loss is 1 - ssim() itself.
//
// SSIM follows Wang et al. 2004 as scikit-image computes it with
// structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
// data_range=...): an 11×11 Gaussian window (sigma 1.5, truncated at 3.5 sigma),
// K1 = 0.01, K2 = 0.03, and the SSIM map averaged over the pixels whose window lies
// inside the image (scikit-image filters the whole image, then crops half a window from
// each border, which leaves exactly the 'valid' positions), then over channels.
import { type Tensor, tensor, cat } from '../torch/index.js';
import { functional as F } from '../nn/index.js';

export interface SsimOptions {
  /** Difference between the largest and smallest possible pixel values (default 1, for [0, 1] images). */
  dataRange?: number;
  /** Standard deviation of the Gaussian window (default 1.5). */
  sigma?: number;
  /** Window half-width in sigmas (default 3.5, scikit-image's truncate). */
  truncate?: number;
  k1?: number;
  k2?: number;
}

export interface PsnrOptions {
  /** Default 1, for [0, 1] images. */
  dataRange?: number;
  /** PSNR of an image reconstructed exactly (MSE 0) is capped here instead of being infinite (default 100 dB). */
  maxDb?: number;
}

/** Checks that x and y are equal-shaped float image batches [N, C, H, W]; `who` names the caller. */
export function checkImagePair(x: Tensor, y: Tensor, who: string): void {
  if (x.ndim !== 4) throw new RangeError(`${who}: expected images [N, C, H, W], got shape [${x.shape}]`);
  if (x.shape.join(',') !== y.shape.join(',')) throw new RangeError(`${who}: shapes differ: [${x.shape}] and [${y.shape}]`);
  if (!x.dtype.startsWith('float') || !y.dtype.startsWith('float')) throw new TypeError(`${who}: expected float images, got ${x.dtype} and ${y.dtype}`);
}

/** Mean squared error of each image [N]. */
export function msePer(x: Tensor, y: Tensor): Tensor {
  checkImagePair(x, y, 'mse');
  return x.sub(y).square().reshape([x.shape[0]!, -1]).mean(1);
}

/** Mean absolute error of each image [N]. */
export function maePer(x: Tensor, y: Tensor): Tensor {
  checkImagePair(x, y, 'mae');
  return x.sub(y).abs().reshape([x.shape[0]!, -1]).mean(1);
}

/** Peak signal-to-noise ratio of each image [N] in dB: 10 log10(range² / MSE). */
export function psnrPer(x: Tensor, y: Tensor, opts: PsnrOptions = {}): Tensor {
  const range = opts.dataRange ?? 1;
  if (!(range > 0)) throw new RangeError(`psnr: dataRange must be positive, got ${range}`);
  const maxDb = opts.maxDb ?? 100;
  const floor = range * range / 10 ** (maxDb / 10);
  return msePer(x, y).clamp(floor, null).reciprocal().mul(range * range).log().mul(10 / Math.LN10);
}

/** The normalised 1-D Gaussian of a window, as scipy.ndimage.gaussian_filter builds it. */
export function gaussianWindow1d(sigma: number, truncate: number): Float64Array {
  if (!(sigma > 0)) throw new RangeError(`ssim: sigma must be positive, got ${sigma}`);
  const radius = Math.floor(truncate * sigma + 0.5);
  const w = Float64Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-0.5 * ((i - radius) / sigma) ** 2));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / total);
}

/** Structural similarity of each image [N] (mean of the SSIM map over valid pixels and channels). */
export function ssimPer(x: Tensor, y: Tensor, opts: SsimOptions = {}): Tensor {
  checkImagePair(x, y, 'ssim');
  const range = opts.dataRange ?? 1;
  const g = gaussianWindow1d(opts.sigma ?? 1.5, opts.truncate ?? 3.5);
  const k = g.length;
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (h < k || w < k) throw new RangeError(`ssim: images of ${h}×${w} are smaller than the ${k}×${k} window`);
  const c1 = ((opts.k1 ?? 0.01) * range) ** 2;
  const c2 = ((opts.k2 ?? 0.03) * range) ** 2;
  // The five local moments in one separable depthwise filtering pass.
  const stacked = cat([x, y, x.mul(x), y.mul(y), x.mul(y)], 1);
  const groups = 5 * c;
  const row = tensor(Float32Array.from(g)).to({ dtype: x.dtype, device: x.device }).reshape([1, 1, 1, k]).expand([groups, 1, 1, k]).contiguous();
  const col = row.reshape([groups, 1, k, 1]);
  const filtered = F.conv2d(F.conv2d(stacked, row, null, { groups }), col, null, { groups });
  const [mx, my, xx, yy, xy] = filtered.chunk(5, 1) as [Tensor, Tensor, Tensor, Tensor, Tensor];
  const vx = xx.sub(mx.square());
  const vy = yy.sub(my.square());
  const cov = xy.sub(mx.mul(my));
  const num = mx.mul(my).mul(2).add(c1).mul(cov.mul(2).add(c2));
  const den = mx.square().add(my.square()).add(c1).mul(vx.add(vy).add(c2));
  return num.div(den).reshape([n, -1]).mean(1);
}
