// Classification losses that tolerate wrong labels, over logits [N, C] and class-index
// targets [N]. Cross-entropy's gradient grows without bound on a confidently wrong label,
// so a network ends up memorising the noise; these losses bound or soften that pull.
//
//   generalized cross-entropy (Zhang & Sabuncu 2018)  (1 - p_y^q) / q, q in (0, 1]:
//     q -> 0 is cross-entropy, q = 1 is the (noise-tolerant) mean absolute error.
//   symmetric cross-entropy (Wang et al. 2019)  alpha·CE + beta·RCE, where the reverse
//     cross-entropy -sum_k p_k log y_k takes log 0 as log(1e-4), as the paper's code does,
//     so RCE = -log(1e-4)·(1 - p_y).
//   bootstrapping (Reed et al. 2015)  cross-entropy against beta·y + (1 - beta)·z, where
//     z is the prediction p (soft) or its one-hot argmax (hard).
import { type Tensor, ops, tidy } from '../../torch/index.js';
import { type Reduction, checkReduction, REDUCTIONS } from './reduction.js';
import { requireNumber } from './checks.js';
import { classCount, classIndexTarget } from './class-targets.js';

export interface GeneralizedCrossEntropyOptions { q?: number; reduction?: Reduction }
export interface SymmetricCrossEntropyOptions { alpha?: number; beta?: number; reduction?: Reduction }
export interface BootstrappingLossOptions {
  /** Weight of the given label (default 0.95 soft, 0.8 hard, as in the paper). */
  beta?: number;
  mode?: 'soft' | 'hard';
  reduction?: Reduction;
}

/** log(1e-4): the value the reverse cross-entropy gives log 0. */
export const RCE_LOG_ZERO = Math.log(1e-4);

function reduce(perSample: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? perSample : reduction === 'sum' ? perSample.sum() : perSample.mean();
}

/** Checks logits [N, C] and targets [N]; returns the int64 targets as a column [N, 1]. */
function targetColumn(loss: string, logits: Tensor, target: Tensor): Tensor {
  const classes = classCount(loss, 'logits', logits);
  if (logits.ndim !== 2) throw new RangeError(`${loss}: logits must be [N, C], got [${logits.shape.join(', ')}]`);
  return classIndexTarget(loss, 'logits', logits, target, classes, -100).unsqueeze(1);
}

export function generalizedCrossEntropy(logits: Tensor, target: Tensor, opts: GeneralizedCrossEntropyOptions = {}): Tensor {
  const loss = 'generalizedCrossEntropy';
  const q = requireNumber(loss, 'q', opts.q ?? 0.7, (v) => v > 0 && v <= 1, 'in (0, 1]');
  const reduction = checkReduction(loss, opts.reduction, REDUCTIONS);
  return tidy(() => {
    const t = targetColumn(loss, logits, target);
    // p_y^q = exp(q · log p_y), from log-softmax for stability at tiny probabilities.
    const logPy = logits.logSoftmax(1).gather(1, t).squeeze(1);
    return reduce(logPy.mul(q).exp().neg().add(1).div(q), reduction);
  });
}

export function symmetricCrossEntropy(logits: Tensor, target: Tensor, opts: SymmetricCrossEntropyOptions = {}): Tensor {
  const loss = 'symmetricCrossEntropy';
  const alpha = requireNumber(loss, 'alpha', opts.alpha ?? 0.1, (v) => v >= 0, '>= 0');
  const beta = requireNumber(loss, 'beta', opts.beta ?? 1, (v) => v >= 0, '>= 0');
  const reduction = checkReduction(loss, opts.reduction, REDUCTIONS);
  return tidy(() => {
    const t = targetColumn(loss, logits, target);
    const logPy = logits.logSoftmax(1).gather(1, t).squeeze(1);
    const ce = logPy.neg();
    const rce = logPy.exp().neg().add(1).mul(-RCE_LOG_ZERO);
    return reduce(ce.mul(alpha).add(rce.mul(beta)), reduction);
  });
}

export function bootstrappingLoss(logits: Tensor, target: Tensor, opts: BootstrappingLossOptions = {}): Tensor {
  const loss = 'bootstrappingLoss';
  const mode = opts.mode ?? 'soft';
  if (mode !== 'soft' && mode !== 'hard') throw new RangeError(`${loss}: mode must be 'soft' or 'hard', got '${String(mode)}'`);
  const beta = requireNumber(loss, 'beta', opts.beta ?? (mode === 'soft' ? 0.95 : 0.8), (v) => v >= 0 && v <= 1, 'in [0, 1]');
  const reduction = checkReduction(loss, opts.reduction, REDUCTIONS);
  return tidy(() => {
    const t = targetColumn(loss, logits, target);
    const classes = logits.shape[1]!;
    const logP = logits.logSoftmax(1);
    const given = ops.one_hot(t.squeeze(1), classes).to(logits.dtype);
    // The hard form's argmax has no gradient; the soft form's prediction term does, as in
    // the paper (it then also rewards confident predictions).
    const z = mode === 'soft' ? logP.exp() : ops.one_hot(logP.argmax(1), classes).to(logits.dtype);
    const mixed = given.mul(beta).add(z.mul(1 - beta));
    return reduce(mixed.mul(logP).sum(1).neg(), reduction);
  });
}
