// Losses of image reconstruction, per image so that sample weighting works: MSE, L1 and
// SSIM (1 - SSIM), alone or as a weighted mixture such as { ssim: 0.84, l1: 0.16 } (the
// mix Zhao et al. 2017 found best for restoration: SSIM keeps structure, L1 keeps
// brightness, which SSIM is blind to in flat regions), and PSNR: the negative PSNR of each
// image in [0, 1] (BasicSR's PSNRLoss). The mean of per-image PSNRs, which denoising
// benchmarks report, rewards a lower error on an easy image (a sandal on black) as much
// as the same ratio on a hard one; MSE weights images by their absolute error instead,
// so it spends the model on the hard images.
import type { Tensor } from '../torch/index.js';
import { msePer, maePer, ssimPer, psnrPer } from '../metrics/index.js';

export const RECONSTRUCTION_LOSSES = ['mse', 'l1', 'ssim', 'psnr'] as const;
export type ReconstructionLossName = (typeof RECONSTRUCTION_LOSSES)[number];
/** A loss name, or weights of a mixture of them. */
export type ReconstructionLossSpec = ReconstructionLossName | Partial<Record<ReconstructionLossName, number>>;

/** Loss of each image [N] of outputs against targets [N, C, H, W]. */
export type PerImageLoss = (outputs: Tensor, targets: Tensor) => Tensor;

const TERMS: Record<ReconstructionLossName, PerImageLoss> = {
  mse: (o, t) => msePer(o, t),
  l1: (o, t) => maePer(o, t),
  ssim: (o, t) => ssimPer(o, t).neg().add(1),
  // The metric itself, capped at 80 dB (MSE 1e-8) so that a perfect image stays finite.
  psnr: (o, t) => psnrPer(o, t, { maxDb: 80 }).neg(),
};

/** The per-image loss a spec names, and a name for logs ('mse', 'ssim*0.84+l1*0.16'). */
export function reconstructionLoss(spec: ReconstructionLossSpec = 'mse', where = 'reconstructionLoss'): { fn: PerImageLoss; name: string } {
  if (typeof spec === 'string') {
    const fn = TERMS[spec];
    if (!fn) throw new RangeError(`${where}: unknown loss '${spec}' (expected ${RECONSTRUCTION_LOSSES.join(', ')} or a mixture such as {ssim: 0.84, l1: 0.16})`);
    return { fn, name: spec };
  }
  if (spec === null || typeof spec !== 'object') throw new TypeError(`${where}: expected a loss name or an object of weights, got ${String(spec)}`);
  const terms = Object.entries(spec).filter(([, w]) => w !== 0) as [string, number][];
  for (const [k, w] of terms) {
    if (!(k in TERMS)) throw new RangeError(`${where}: unknown loss '${k}' in the mixture (expected ${RECONSTRUCTION_LOSSES.join(', ')})`);
    if (!(typeof w === 'number' && w > 0 && Number.isFinite(w))) throw new RangeError(`${where}: the weight of '${k}' must be a positive number, got ${String(w)}`);
  }
  if (terms.length === 0) throw new RangeError(`${where}: the mixture has no term with a positive weight`);
  const fns = terms.map(([k, w]) => [TERMS[k as ReconstructionLossName], w] as const);
  return {
    fn: (o, t) => fns.map(([f, w]) => f(o, t).mul(w)).reduce((a, b) => a.add(b)),
    name: terms.map(([k, w]) => `${k}*${w}`).join('+'),
  };
}
