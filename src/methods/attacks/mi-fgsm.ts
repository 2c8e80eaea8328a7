// Momentum iterative FGSM (Dong et al. 2018): iterative sign steps along an accumulated,
// L1-normalised gradient, which escapes poor local maxima and transfers better to other
// models than plain BIM.
import { type Tensor, tidy } from '../../torch/index.js';
import { type AttackOptions, type AttackTarget, victimOf, checkAttackInputs, positiveInteger, positiveNumber } from './attack-options.js';
import { gradientAscent } from './gradient-ascent.js';

export interface MiFgsmOptions extends AttackOptions {
  /** Default 10. */
  steps?: number;
  /** Default ε / steps. */
  stepSize?: number;
  /** Decay of the accumulated gradient (μ). Default 1. */
  decay?: number;
}

export function miFgsm(target: AttackTarget, images: Tensor, labels: Tensor, opts: MiFgsmOptions): Tensor {
  checkAttackInputs('miFgsm', images, labels, opts.eps);
  const steps = positiveInteger('miFgsm', 'steps', opts.steps ?? 10);
  const stepSize = positiveNumber('miFgsm', 'stepSize', opts.stepSize ?? opts.eps / steps);
  const decay = opts.decay ?? 1;
  if (!(Number.isFinite(decay) && decay >= 0)) throw new RangeError(`miFgsm: decay must be a non-negative number, got ${decay}`);
  const victim = victimOf(target, opts.normalization);
  return tidy(() => {
    const x = images.detach();
    return gradientAscent(victim, x, labels, x, { eps: opts.eps, norm: 'linf', steps, stepSize, targeted: opts.targeted ?? false, momentum: decay });
  });
}
