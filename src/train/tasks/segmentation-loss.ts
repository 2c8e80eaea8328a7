// The segmentation losses a task can name instead of passing a function: cross-entropy
// (the default), soft Dice, focal and Lovász-softmax, all over the counted pixels. Dice
// and Lovász are set-level losses (one number for a set of pixels), so a per-image loss
// (reduction 'none', for sample weighting) evaluates them on each image on its own.
import { type Tensor, stack } from '../../torch/index.js';
import { softDiceLoss, focalLoss, lovaszSoftmax } from '../../nn/index.js';
import type { LossFunction } from '../loss.js';

export const SEGMENTATION_LOSSES = ['cross-entropy', 'dice', 'focal', 'lovasz'] as const;
export type SegmentationLossName = typeof SEGMENTATION_LOSSES[number];

function perImage(fn: (logits: Tensor, target: Tensor) => Tensor): LossFunction {
  return (logits, target, o = {}) => {
    if (o.reduction !== 'none') return fn(logits, target);
    const n = logits.shape[0]!;
    return stack(Array.from({ length: n }, (_, i) => fn(logits.narrow(0, i, 1), target.narrow(0, i, 1))));
  };
}

/** The named loss (cross-entropy is the task's own default path) with the task's ignore index and class weights (Dice's class weights, focal's alpha). */
export function segmentationLossFunction(name: Exclude<SegmentationLossName, 'cross-entropy'>, ignoreIndex: number, classWeights?: readonly number[]): LossFunction {
  switch (name) {
    case 'dice':
      return perImage((l, t) => softDiceLoss(l, t, { ignoreIndex, ...(classWeights ? { classWeights } : {}) }));
    case 'focal':
      return perImage((l, t) => focalLoss(l, t, { ignoreIndex, ...(classWeights ? { alpha: classWeights } : {}) }));
    case 'lovasz':
      if (classWeights) throw new RangeError("SegmentationTask: segmentationLoss 'lovasz' takes no classWeights");
      return perImage((l, t) => lovaszSoftmax(l, t, { ignoreIndex }));
    default:
      throw new RangeError(`SegmentationTask: segmentationLoss must be one of ${SEGMENTATION_LOSSES.join(', ')}, got '${String(name)}'`);
  }
}
