// The loop behind FGSM, BIM, PGD and MI-FGSM: from a starting point, take `steps` steps
// of size `stepSize` along the steepest direction of the attack loss (sign of the
// gradient for L-infinity, the normalised gradient for L2), projecting back onto the
// epsilon ball around the clean images and onto [0, 1] after each. MI-FGSM adds a
// momentum of L1-normalised gradients.
import { type Tensor, tidy } from '../../torch/index.js';
import type { Norm } from './attack-options.js';
import type { Victim } from './victim.js';
import { attackLoss, perSample, project, steepestDirection } from './perturbation.js';

export interface AscentOptions {
  eps: number;
  norm: Norm;
  steps: number;
  stepSize: number;
  targeted: boolean;
  /** MI-FGSM's decay of the accumulated gradient; undefined for none. */
  momentum?: number;
}

/**
 * Adversarial images from `start` (clean images or a random point of the ball); x stays
 * untouched. Each step's tensors are freed as it ends; the result belongs to the caller's scope.
 */
export function gradientAscent(victim: Victim, x: Tensor, labels: Tensor, start: Tensor, o: AscentOptions): Tensor {
  let adv = tidy(() => start.detach().clone());
  let velocity: Tensor | null = null;
  for (let i = 0; i < o.steps; i++) {
    const next = tidy(() => {
      const { grad } = victim.gradient(adv, (logits) => attackLoss(logits, labels, o.targeted));
      let direction = grad;
      let v: Tensor | null = null;
      if (o.momentum !== undefined) {
        const l1 = grad.abs().flatten(1).mean(1).clamp(1e-12, null);
        const normalised = grad.div(perSample(l1, grad));
        v = velocity ? velocity.mul(o.momentum).add(normalised) : normalised;
        direction = v;
      }
      return { adv: project(adv.add(steepestDirection(direction, o.norm).mul(o.stepSize)), x, o.eps, o.norm), v };
    });
    adv.dispose();
    (velocity as Tensor | null)?.dispose();
    adv = next.adv;
    velocity = next.v;
  }
  (velocity as Tensor | null)?.dispose();
  return adv;
}
