// TRADES' inner maximisation (Zhang et al. 2019): the point of the L-infinity ball where
// the model's predictions differ most from its predictions on the clean image, measured
// by KL divergence. It needs no labels: it attacks smoothness, not correctness.
import { type Tensor, type Generator, tidy, randn, noGrad } from '../../torch/index.js';
import { klDiv } from '../../nn/index.js';
import { type Victim, project, steepestDirection } from '../attacks/index.js';

export interface TradesAttackOptions {
  eps: number;
  steps: number;
  stepSize: number;
  generator?: Generator;
}

/** KL(p_clean ‖ p_adv) summed over the batch, from the clean probabilities and the adversarial logits. */
export function tradesDivergence(cleanProbs: Tensor, advLogits: Tensor, reduction: 'sum' | 'none'): Tensor {
  const kl = klDiv(advLogits.logSoftmax(1), cleanProbs, { reduction: 'none' }).sum(1);
  return reduction === 'sum' ? kl.sum() : kl;
}

export function tradesAttack(victim: Victim, x: Tensor, o: TradesAttackOptions): Tensor {
  const cleanProbs = tidy(() => noGrad(() => victim.logits(x).softmax(1)));
  // TRADES starts from a tiny Gaussian jitter: at x itself the divergence's gradient is zero.
  let adv = tidy(() => x.add(randn(x.shape, { dtype: x.dtype, device: x.device, ...(o.generator ? { generator: o.generator } : {}) }).mul(0.001)));
  try {
    for (let i = 0; i < o.steps; i++) {
      const next = tidy(() => {
        const { grad } = victim.gradient(adv, (logits) => tradesDivergence(cleanProbs, logits, 'sum'));
        return project(adv.add(steepestDirection(grad, 'linf').mul(o.stepSize)), x, o.eps, 'linf');
      });
      adv.dispose();
      adv = next;
    }
    return adv;
  } finally {
    cleanProbs.dispose();
  }
}
