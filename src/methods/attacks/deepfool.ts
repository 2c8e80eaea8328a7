// DeepFool (Moosavi-Dezfooli et al. 2016): the smallest L2 step that crosses the
// nearest decision boundary of the model linearised at the current point, repeated until
// the label changes, then overshot a little. It takes no budget: it measures how far
// each image is from being misclassified. Targeted, it crosses towards the target's
// boundary only.
import { type Tensor, tidy, grad, zerosLike, where, ops } from '../../torch/index.js';
import { type AttackTarget, victimOf, checkAttackInputs, positiveInteger } from './attack-options.js';
import type { InputNormalization } from './victim.js';
import { fooled, perSample, perSampleNorm } from './perturbation.js';

export interface DeepFoolOptions {
  targeted?: boolean;
  normalization?: InputNormalization | null;
  /** Default 50. */
  maxIterations?: number;
  /** Extra length of the final perturbation. Default 0.02. */
  overshoot?: number;
}

/**
 * Per sample: the step [N, ...] from the reference class's region to the nearest
 * linearised boundary of a candidate class (every other class untargeted, the target
 * class targeted).
 */
function boundaryStep(logits: Tensor, x: Tensor, reference: Tensor, labels: Tensor, targeted: boolean): Tensor {
  const classes = logits.shape[1]!;
  const own = logits.gather(1, reference.unsqueeze(1)).squeeze(1);
  const [gOwn] = grad(own.sum(), x, { retainGraph: true });
  let best: Tensor | null = null;
  let bestDist: Tensor | null = null;
  for (let k = 0; k < classes; k++) {
    const [gk] = grad(logits.select(1, k).sum(), x, { retainGraph: true });
    const w = gk!.sub(gOwn!);
    const f = logits.select(1, k).sub(own).detach();
    const wNorm = perSampleNorm(w, 'l2').clamp(1e-8, null);
    const candidate = targeted ? labels.eq(k).logicalAnd(reference.ne(k)) : reference.ne(k);
    const dist = f.abs().div(wNorm).add(1e-4).maskedFill(candidate.logicalNot(), Infinity);
    const step = w.mul(perSample(dist.div(wNorm), w));
    if (best === null || bestDist === null) {
      best = step;
      bestDist = dist;
    } else {
      const closer = dist.lt(bestDist);
      best = where(perSample(closer, step).expandAs(step), step, best);
      bestDist = where(closer, dist, bestDist);
    }
  }
  // A sample with no candidate (targeted at its own class) does not move.
  return where(perSample(ops.isfinite(bestDist!), best!).expandAs(best!), best!, zerosLike(best!));
}

export function deepFool(target: AttackTarget, images: Tensor, labels: Tensor, opts: DeepFoolOptions = {}): Tensor {
  checkAttackInputs('deepFool', images, labels, 0, { epsMayBeZero: true });
  const maxIterations = positiveInteger('deepFool', 'maxIterations', opts.maxIterations ?? 50);
  const overshoot = opts.overshoot ?? 0.02;
  if (!(overshoot >= 0)) throw new RangeError(`deepFool: overshoot must be non-negative, got ${overshoot}`);
  const targeted = opts.targeted ?? false;
  const victim = victimOf(target, opts.normalization);
  const x0 = images.detach();
  let total = tidy(() => zerosLike(x0));
  for (let i = 0; i < maxIterations; i++) {
    const next = tidy(() => {
      const x = x0.add(total.mul(1 + overshoot)).clamp(0, 1).requiresGrad_(true);
      const logits = victim.logits(x);
      const active = fooled(logits.detach(), labels, targeted).logicalNot();
      if (!active.any().item()) return null;
      // Untargeted DeepFool leaves the true class; targeted, it leaves whatever the model says now.
      const reference = targeted ? logits.detach().argmax(1) : labels;
      const step = boundaryStep(logits, x, reference, labels, targeted);
      return total.add(step.mul(perSample(active, step)));
    });
    if (next === null) break;
    total.dispose();
    total = next;
  }
  const adv = tidy(() => x0.add(total.mul(1 + overshoot)).clamp(0, 1));
  total.dispose();
  return adv;
}
