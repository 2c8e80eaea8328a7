// Correct-prediction counts kept as tensors, so a training loop reads them back once per
// epoch instead of once per batch.
import { type Tensor, isFloatingDType } from '../torch/index.js';

/**
 * Number of correct predictions in a batch as a scalar tensor, and how many predictions
 * it covers: argmax against class indices, or logits > 0 against 0/1 multi-label
 * targets. Undefined when accuracy means nothing for the targets (regression).
 */
export function correctCount(logits: Tensor, targets: Tensor): { correct: Tensor; count: number } | undefined {
  if (!isFloatingDType(targets.dtype) && logits.ndim === targets.ndim + 1) {
    return { correct: logits.argmax(1).eq(targets).sum(), count: targets.numel() };
  }
  if (isFloatingDType(targets.dtype) && sameShape(logits.shape, targets.shape)) {
    return { correct: logits.gt(0).eq(targets.gt(0.5)).sum(), count: targets.numel() };
  }
  return undefined;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
