// Classification losses over class scores: cross-entropy on logits and negative
// log-likelihood on log-probabilities, for [N, C] batches, [N, C, H, W] dense
// prediction, and unbatched [C].
import { type Tensor, ops, tidy, isFloatingDType } from '../../torch/index.js';
import { type Reduction, reductionCode } from './reduction.js';
import { fmtShape, requireNumber, sameShape } from './checks.js';
import { classCount, classIndexTarget, classWeight, indexTargetShape } from './class-targets.js';

export interface NLLLossOptions {
  /** Per-class weights, shape [C]; 'mean' then divides by the summed weights of the counted targets. */
  weight?: Tensor | null;
  /** Targets equal to this index add nothing to the loss or to the mean's denominator. */
  ignoreIndex?: number;
  reduction?: Reduction;
}

export interface CrossEntropyOptions extends NLLLossOptions {
  /** Mixes the target with the uniform distribution: (1 - s) * target + s / C. */
  labelSmoothing?: number;
}

export interface ResolvedCrossEntropyOptions {
  weight: Tensor | null;
  ignoreIndex: number;
  reduction: Reduction;
  reductionCode: number;
  labelSmoothing: number;
}

/** Checks and fills in defaults once, so a loss module fails at construction rather than at its first batch. */
export function resolveCrossEntropyOptions(loss: string, opts: CrossEntropyOptions): ResolvedCrossEntropyOptions {
  const ignoreIndex = requireNumber(loss, 'ignoreIndex', opts.ignoreIndex ?? -100, Number.isInteger, 'an integer');
  const labelSmoothing = requireNumber(loss, 'labelSmoothing', opts.labelSmoothing ?? 0, (v) => v >= 0 && v <= 1, 'in [0, 1]');
  const reduction = opts.reduction ?? 'mean';
  return { weight: opts.weight ?? null, ignoreIndex, reduction, reductionCode: reductionCode(loss, reduction), labelSmoothing };
}

/**
 * Cross-entropy between logits and either class indices (integer, shape [N] / [N, H, W])
 * or class probabilities (floating, the logits' shape), as torch.nn.functional.cross_entropy.
 * reduction 'none' returns one loss per sample (per pixel for dense targets), for callers
 * that weight samples themselves (see weightedMean). With probability targets ignoreIndex
 * does not apply and 'mean' divides by N, as in PyTorch.
 */
export function crossEntropy(logits: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const loss = 'crossEntropy';
  const o = resolveCrossEntropyOptions(loss, opts);
  return tidy(() => {
    const classes = classCount(loss, 'logits', logits);
    const weight = classWeight(loss, o.weight, classes, logits);
    let t: Tensor;
    if (isFloatingDType(target.dtype)) {
      if (!sameShape(target.shape, logits.shape)) {
        throw new RangeError(`${loss}: floating target ${fmtShape(target.shape)} is read as class probabilities and must match logits ${fmtShape(logits.shape)}; ` +
          `for class indices pass an int64 target of shape ${fmtShape(indexTargetShape(logits))}`);
      }
      t = target.dtype === logits.dtype ? target : target.to(logits.dtype);
    } else {
      t = classIndexTarget(loss, 'logits', logits, target, classes, o.ignoreIndex);
    }
    return ops.cross_entropy_loss(logits, t, weight, o.reductionCode, o.ignoreIndex, o.labelSmoothing);
  });
}

/** Negative log-likelihood of class-index targets under log-probabilities, as torch.nn.functional.nll_loss. */
export function nllLoss(logProbs: Tensor, target: Tensor, opts: NLLLossOptions = {}): Tensor {
  const loss = 'nllLoss';
  const o = resolveCrossEntropyOptions(loss, opts);
  return tidy(() => {
    const classes = classCount(loss, 'logProbs', logProbs);
    const weight = classWeight(loss, o.weight, classes, logProbs);
    const t = classIndexTarget(loss, 'logProbs', logProbs, target, classes, o.ignoreIndex);
    return ops.nll_loss_nd(logProbs, t, weight, o.reductionCode, o.ignoreIndex);
  });
}
