// APGD-CE (Croce & Hein 2020, the first attack of AutoAttack): PGD without a step size
// to tune. Each image starts with step 2ε and momentum 0.75; at checkpoints spaced
// ever closer (22% of the budget, then shrinking by 3% down to 6%), an image whose loss
// rose in fewer than 75% of the steps since the last checkpoint, or whose step was
// not cut last time and whose best loss did not improve, halves its step and restarts
// from its best point.
import { type Tensor, tidy, rand, where, zeros } from '../../torch/index.js';
import { crossEntropy } from '../../nn/index.js';
import { type AttackOptions, type AttackTarget, victimOf, checkAttackInputs, positiveInteger } from './attack-options.js';
import { fooled, perSample, project } from './perturbation.js';
import type { Victim } from './victim.js';

export interface ApgdOptions extends AttackOptions {
  /** Iterations. Default 100. */
  steps?: number;
}

const MOMENTUM = 0.75;
const RHO = 0.75;

function lossAndGrad(victim: Victim, adv: Tensor, labels: Tensor, targeted: boolean) {
  const { grad, logits } = victim.gradient(adv, (z) => {
    const ce = crossEntropy(z, labels, { reduction: 'sum' });
    return targeted ? ce.neg() : ce;
  });
  const perSampleLoss = crossEntropy(logits, labels, { reduction: 'none' });
  return { grad, logits, loss: targeted ? perSampleLoss.neg() : perSampleLoss };
}

/** Frees the tensors of an old state that the new one no longer holds. */
function release(old: Record<string, Tensor>, next: Record<string, Tensor>): void {
  const kept = new Set(Object.values(next));
  for (const t of Object.values(old)) if (!kept.has(t)) t.dispose();
}

/** Choose per sample: `a` where mask [N] is set, else `b`. */
function choose(mask: Tensor, a: Tensor, b: Tensor): Tensor {
  return mask.ndim === a.ndim ? where(mask, a, b) : where(perSample(mask, a).expandAs(a), a, b);
}

export function apgd(target: AttackTarget, images: Tensor, labels: Tensor, opts: ApgdOptions): Tensor {
  checkAttackInputs('apgd', images, labels, opts.eps);
  const nIter = positiveInteger('apgd', 'steps', opts.steps ?? 100);
  const eps = opts.eps;
  const targeted = opts.targeted ?? false;
  const victim = victimOf(target, opts.normalization);
  const x = images.detach();
  const n = x.shape[0]!;
  const o = { dtype: x.dtype, device: x.device };
  let checkpointGap = Math.max(Math.floor(0.22 * nIter), 1);
  const gapDecrease = Math.max(Math.floor(0.03 * nIter), 1);
  const minGap = Math.max(Math.floor(0.06 * nIter), 1);

  // State, replaced as a whole after every step so that each step's tensors can be freed.
  let s = tidy(() => {
    const t = rand(x.shape, { ...o, ...(opts.generator ? { generator: opts.generator } : {}) }).mul(2).sub(1);
    const maxAbs = t.abs().flatten(1).max(1).values.clamp(1e-12, null);
    const adv = x.add(t.div(perSample(maxAbs, t)).mul(eps)).clamp(0, 1);
    const { grad, logits, loss } = lossAndGrad(victim, adv, labels, targeted);
    const hit = fooled(logits, labels, targeted);
    return {
      adv, prev: adv, grad, loss, best: adv, bestGrad: grad, bestLoss: loss,
      bestAdv: adv, everFooled: hit, step: zeros([n], o).add(2 * eps),
      increases: zeros([n], o), bestAtCheck: loss, reducedAtCheck: zeros([n], { dtype: 'bool', device: x.device }),
    };
  });
  let sinceCheck = 0;
  for (let i = 0; i < nIter; i++) {
    const next = tidy(() => {
      const a = i > 0 ? MOMENTUM : 1;
      const z = project(s.adv.add(s.grad.sign().mul(perSample(s.step, s.grad))), x, eps, 'linf');
      const adv = project(s.adv.add(z.sub(s.adv).mul(a)).add(s.adv.sub(s.prev).mul(1 - a)), x, eps, 'linf');
      const { grad, logits, loss } = lossAndGrad(victim, adv, labels, targeted);
      const hit = fooled(logits, labels, targeted);
      const improved = loss.gt(s.bestLoss);
      return {
        ...s, prev: s.adv, adv, grad, loss,
        bestAdv: choose(hit, adv, s.bestAdv), everFooled: s.everFooled.logicalOr(hit),
        best: choose(improved, adv, s.best), bestGrad: choose(improved, grad, s.bestGrad), bestLoss: where(improved, loss, s.bestLoss),
        increases: s.increases.add(loss.gt(s.loss).to(x.dtype)),
      };
    });
    release(s, next);
    s = next;
    sinceCheck++;
    if (sinceCheck === checkpointGap) {
      const gap = checkpointGap;
      const checked = tidy(() => {
        const oscillating = s.increases.le(gap * RHO);
        const stalled = s.reducedAtCheck.logicalNot().logicalAnd(s.bestAtCheck.ge(s.bestLoss));
        const reduce = oscillating.logicalOr(stalled);
        return {
          ...s,
          step: where(reduce, s.step.mul(0.5), s.step),
          adv: choose(reduce, s.best, s.adv), grad: choose(reduce, s.bestGrad, s.grad),
          increases: zeros([n], o), bestAtCheck: s.bestLoss, reducedAtCheck: reduce,
        };
      });
      release(s, checked);
      s = checked;
      checkpointGap = Math.max(checkpointGap - gapDecrease, minGap);
      sinceCheck = 0;
    }
  }
  const result = tidy(() => choose(s.everFooled, s.bestAdv, s.best));
  release(s, {});
  return result;
}
