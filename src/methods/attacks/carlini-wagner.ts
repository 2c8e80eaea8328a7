// Carlini-Wagner L2 (Carlini & Wagner 2017): minimises ||δ||₂² + c · f(x + δ) over a
// change of variables x + δ = (tanh(w) + 1) / 2 that keeps pixels in [0, 1] without
// clipping, with f = max(Z_true − max_other Z, −κ) (targeted: max(max_other Z − Z_target, −κ)).
// A binary search per image looks for the smallest c that still fools the model; the
// result per image is the smallest successful perturbation found (the clean image when
// none succeeded).
import { type Tensor, tidy, keep, grad, tensor, where, noGrad, ops } from '../../torch/index.js';
import { Adam } from '../../optim/index.js';
import { type AttackTarget, victimOf, checkAttackInputs, positiveInteger, positiveNumber } from './attack-options.js';
import type { InputNormalization } from './victim.js';
import { fooled, margin, perSample } from './perturbation.js';

export interface CarliniWagnerOptions {
  targeted?: boolean;
  normalization?: InputNormalization | null;
  /** Initial trade-off constant c. Default 1. */
  c?: number;
  /** Confidence margin κ. Default 0. */
  kappa?: number;
  /** Adam steps per value of c. Default 100. */
  steps?: number;
  /** Values of c tried per image. Default 5. */
  binarySearchSteps?: number;
  /** Adam's learning rate on w. Default 0.01. */
  lr?: number;
}

export function carliniWagnerL2(target: AttackTarget, images: Tensor, labels: Tensor, opts: CarliniWagnerOptions = {}): Tensor {
  const who = 'carliniWagnerL2';
  checkAttackInputs(who, images, labels, 0, { epsMayBeZero: true });
  const steps = positiveInteger(who, 'steps', opts.steps ?? 100);
  const searches = positiveInteger(who, 'binarySearchSteps', opts.binarySearchSteps ?? 5);
  const lr = positiveNumber(who, 'lr', opts.lr ?? 0.01);
  const c0 = positiveNumber(who, 'c', opts.c ?? 1);
  const kappa = opts.kappa ?? 0;
  if (!(kappa >= 0)) throw new RangeError(`${who}: kappa must be non-negative, got ${kappa}`);
  const targeted = opts.targeted ?? false;
  const victim = victimOf(target, opts.normalization);
  const x = images.detach();
  const n = x.shape[0]!;
  const c = new Float64Array(n).fill(c0);
  const lower = new Float64Array(n).fill(0);
  const upper = new Float64Array(n).fill(1e10);
  let bestAdv = tidy(() => x.clone());
  let bestL2 = tidy(() => tensor(new Float32Array(n).fill(Infinity)).to(x.device));
  const w0 = tidy(() => keep(ops.atanh(x.mul(2).sub(1).mul(0.999999))));
  try {
    for (let search = 0; search < searches; search++) {
      const cT = keep(tensor(Float32Array.from(c)).to(x.device));
      const w = keep(w0.clone().requiresGrad_(true));
      const optimizer = new Adam([w], { lr });
      const succeeded = new Uint8Array(n);
      try {
        for (let step = 0; step < steps; step++) {
          const update = tidy(() => {
            const adv = w.tanh().add(1).mul(0.5);
            const l2 = adv.sub(x).square().flatten(1).sum(1);
            const logits = victim.logits(adv);
            const f = margin(logits, labels, targeted).clamp(-kappa, null);
            const [g] = grad(l2.add(f.mul(cT)).sum(), w);
            const advD = adv.detach();
            const l2D = l2.detach();
            // A success counts only with the confidence margin reached.
            const ok = fooled(logits.detach(), labels, targeted).logicalAnd(margin(logits.detach(), labels, targeted).le(-kappa));
            const better = ok.logicalAnd(l2D.lt(bestL2));
            return { g: g!, ok, better, adv: where(perSample(better, advD).expandAs(advD), advD, bestAdv), l2: where(better, l2D, bestL2) };
          });
          bestAdv.dispose();
          bestL2.dispose();
          bestAdv = update.adv;
          bestL2 = update.l2;
          (update.ok.toTypedArray() as Uint8Array).forEach((v, i) => { if (v) succeeded[i] = 1; });
          w.grad = update.g;
          noGrad(() => optimizer.step());
          for (const t of [update.g, update.ok, update.better]) t.dispose();
        }
      } finally {
        w.dispose();
        cT.dispose();
      }
      for (let i = 0; i < n; i++) {
        if (succeeded[i]) {
          upper[i] = Math.min(upper[i]!, c[i]!);
          c[i] = (lower[i]! + upper[i]!) / 2;
        } else {
          lower[i] = Math.max(lower[i]!, c[i]!);
          c[i] = upper[i]! < 1e9 ? (lower[i]! + upper[i]!) / 2 : c[i]! * 10;
        }
      }
    }
    return bestAdv;
  } finally {
    w0.dispose();
    bestL2.dispose();
  }
}
