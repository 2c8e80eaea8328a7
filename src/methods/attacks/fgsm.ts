// Fast gradient sign method (Goodfellow et al. 2015): one step of epsilon along the sign
// of the loss gradient. With a random start (Wong et al. 2020, "fast is better than
// free") the step begins at a uniformly random point of the epsilon ball and is 1.25 ε
// long, then projected back: the single-step attack that fast adversarial training uses.
import { type Tensor, tidy } from '../../torch/index.js';
import { type AttackOptions, type AttackTarget, victimOf, checkAttackInputs, positiveNumber } from './attack-options.js';
import { gradientAscent } from './gradient-ascent.js';
import { randomStart } from './perturbation.js';

export interface FgsmOptions extends AttackOptions {
  /** Start from a random point of the epsilon ball (FGSM-RS). Default false. */
  randomStart?: boolean;
  /** A fixed starting perturbation [N, C, H, W] instead of a random one (reproducing a run). */
  init?: Tensor;
  /** Step length; default ε, or 1.25 ε with a random start. */
  stepSize?: number;
}

export function fgsm(target: AttackTarget, images: Tensor, labels: Tensor, opts: FgsmOptions): Tensor {
  const who = opts.randomStart || opts.init ? 'fgsmRandomStart' : 'fgsm';
  checkAttackInputs(who, images, labels, opts.eps);
  const random = opts.randomStart === true || opts.init !== undefined;
  const stepSize = positiveNumber(who, 'stepSize', opts.stepSize ?? (random ? 1.25 * opts.eps : opts.eps));
  const victim = victimOf(target, opts.normalization);
  return tidy(() => {
    const x = images.detach();
    const start = opts.init ? x.add(opts.init).clamp(0, 1) : random ? randomStart(x, opts.eps, 'linf', opts.generator) : x;
    return gradientAscent(victim, x, labels, start, { eps: opts.eps, norm: 'linf', steps: 1, stepSize, targeted: opts.targeted ?? false });
  });
}

/** FGSM from a random start (FGSM-RS): `fgsm` with randomStart set. */
export function fgsmRandomStart(target: AttackTarget, images: Tensor, labels: Tensor, opts: Omit<FgsmOptions, 'randomStart'>): Tensor {
  return fgsm(target, images, labels, { ...opts, randomStart: true });
}
