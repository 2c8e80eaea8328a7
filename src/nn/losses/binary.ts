// Binary (and multi-label) cross-entropy: one independent yes/no per element.
import { type Tensor, ops, tidy } from '../../torch/index.js';
import { type Reduction, reductionCode } from './reduction.js';
import { broadcastWeight, sameShapeTarget } from './checks.js';

export interface BCELossOptions {
  /** Rescales each element's loss; must broadcast to the input's shape. */
  weight?: Tensor | null;
  reduction?: Reduction;
}

export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /**
   * Weight of the positive term; must broadcast to the input's shape, usually [C] (one
   * per class of [N, C] multi-label input). Values above 1 favour recall.
   */
  posWeight?: Tensor | null;
}

/**
 * Binary cross-entropy on logits, computed stably (log-sum-exp) rather than as
 * sigmoid then log, as torch.nn.functional.binary_cross_entropy_with_logits. The target
 * holds probabilities in [0, 1] with the logits' shape.
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, opts: BCEWithLogitsLossOptions = {}): Tensor {
  const loss = 'binaryCrossEntropyWithLogits';
  const code = reductionCode(loss, opts.reduction);
  return tidy(() => {
    const t = sameShapeTarget(loss, logits, target, 'logits');
    const weight = broadcastWeight(loss, 'weight', opts.weight, logits);
    const posWeight = broadcastWeight(loss, 'posWeight', opts.posWeight, logits);
    return ops.binary_cross_entropy_with_logits(logits, t, weight, posWeight, code);
  });
}

/**
 * Binary cross-entropy on probabilities, as torch.nn.functional.binary_cross_entropy
 * (log terms clamped at -100, like PyTorch). Prefer the logits form for training.
 */
export function binaryCrossEntropy(probs: Tensor, target: Tensor, opts: BCELossOptions = {}): Tensor {
  const loss = 'binaryCrossEntropy';
  const code = reductionCode(loss, opts.reduction);
  return tidy(() => {
    const t = sameShapeTarget(loss, probs, target, 'probs');
    const weight = broadcastWeight(loss, 'weight', opts.weight, probs);
    return ops.binary_cross_entropy(probs, t, weight, code);
  });
}
