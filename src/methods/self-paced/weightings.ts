// Self-paced learning's sample weights v in [0, 1] from per-sample losses l and the "age"
// lambda (Kumar et al. 2010; Jiang et al. 2014, "Easy samples first"). Each weighting is
// the closed-form minimiser over v of v·l + f(v; lambda) for its self-paced regulariser f:
//
//   hard         v = 1 if l < lambda, else 0
//   linear       v = max(1 - l/lambda, 0)
//   logarithmic  zeta = 1 - lambda (0 < lambda < 1);
//                v = log(l + zeta) / log(zeta) if l < lambda, else 0
//   mixture      lambda' < lambda, zeta = lambda·lambda' / (lambda - lambda');
//                v = 1 if l <= lambda', 0 if l >= lambda, else zeta/l - zeta/lambda
//
// Computed on the losses' device and dtype, so the training loop never reads them back.
import { type Tensor, tidy, where, zerosLike, onesLike, isFloatingDType } from '../../torch/index.js';

export const SELF_PACED_WEIGHTINGS = ['hard', 'linear', 'logarithmic', 'mixture'] as const;
export type SelfPacedWeighting = (typeof SELF_PACED_WEIGHTINGS)[number];

export interface WeightingParams {
  lambda: number;
  /** The mixture weighting's lower threshold lambda' (0 < lambda' < lambda). */
  lambdaLow?: number;
}

/** Checks lambda (and lambda') for a weighting; throws naming the value and the range it must lie in. */
export function checkWeightingParams(kind: SelfPacedWeighting, p: WeightingParams): void {
  const who = `selfPacedWeights(${kind})`;
  if (!SELF_PACED_WEIGHTINGS.includes(kind)) throw new RangeError(`selfPacedWeights: unknown weighting '${String(kind)}' (expected ${SELF_PACED_WEIGHTINGS.join(', ')})`);
  if (!(p.lambda > 0) || !Number.isFinite(p.lambda)) throw new RangeError(`${who}: lambda must be a positive number, got ${p.lambda}`);
  if (kind === 'logarithmic' && !(p.lambda < 1)) throw new RangeError(`${who}: lambda must be in (0, 1) (zeta = 1 - lambda must be positive), got ${p.lambda}`);
  if (kind === 'mixture') {
    const lo = p.lambdaLow;
    if (lo === undefined || !(lo > 0 && lo < p.lambda)) throw new RangeError(`${who}: lambdaLow must be in (0, lambda = ${p.lambda}), got ${lo}`);
  }
}

/** The weights v for losses l (any shape, floating). */
export function selfPacedWeights(kind: SelfPacedWeighting, losses: Tensor, p: WeightingParams): Tensor {
  checkWeightingParams(kind, p);
  if (!isFloatingDType(losses.dtype)) throw new TypeError(`selfPacedWeights: losses must be floating, got ${losses.dtype} [${losses.shape}]`);
  const { lambda } = p;
  return tidy(() => {
    const l = losses.detach();
    const below = l.lt(lambda);
    switch (kind) {
      case 'hard':
        return where(below, onesLike(l), zerosLike(l));
      case 'linear':
        return l.div(lambda).neg().add(1).clamp(0);
      case 'logarithmic': {
        const zeta = 1 - lambda;
        // Outside l < lambda the log's argument may reach 1 or beyond; clamp before the log
        // so no NaN or negative value leaks into the masked-out entries.
        const inside = l.clamp(0, lambda).add(zeta).log().div(Math.log(zeta));
        return where(below, inside, zerosLike(l)).clamp(0, 1);
      }
      case 'mixture': {
        const low = p.lambdaLow!;
        const zeta = (lambda * low) / (lambda - low);
        const middle = l.clamp(low).reciprocal().mul(zeta).sub(zeta / lambda);
        return where(l.le(low), onesLike(l), where(below, middle, zerosLike(l)));
      }
    }
  });
}
