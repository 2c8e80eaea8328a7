// Validation for losses over class scores ([N, C, d1, ...] or unbatched [C]): the class
// dimension, per-class weights, and integer class-index targets.
import { type Tensor, isFloatingDType, ops, stack } from '../../torch/index.js';
import { fmtShape, requireFloating, sameShape } from './checks.js';

/** Number of classes: dimension 1, or dimension 0 for a single unbatched sample. */
export function classCount(loss: string, what: string, scores: Tensor): number {
  requireFloating(loss, what, scores);
  if (scores.ndim === 0) throw new RangeError(`${loss}: ${what} must be [C], [N, C] or [N, C, d1, ...], got a scalar`);
  return scores.shape[scores.ndim === 1 ? 0 : 1]!;
}

/** The shape a class-index target must have: the scores' shape without the class dimension. */
export function indexTargetShape(scores: Tensor): number[] {
  const s = scores.shape;
  return s.length === 1 ? [] : [s[0]!, ...s.slice(2)];
}

/** Per-class weights: a floating [C] tensor, cast to the scores' dtype. */
export function classWeight(loss: string, weight: Tensor | null | undefined, classes: number, scores: Tensor): Tensor | null {
  if (weight == null) return null;
  requireFloating(loss, 'weight', weight);
  if (weight.ndim !== 1 || weight.shape[0] !== classes) {
    throw new RangeError(`${loss}: class weight must have shape [${classes}] (one per class of ${fmtShape(scores.shape)}), got ${fmtShape(weight.shape)}`);
  }
  return weight.dtype === scores.dtype ? weight : weight.to(scores.dtype);
}

/**
 * Class-index targets as int64 (any integer dtype is accepted), checked to lie in
 * [0, C) except where equal to ignoreIndex. The range check reads back two numbers; it
 * is worth the synchronisation because an out-of-range index on CUDA is a device-side
 * assert that ruins the whole process instead of an error.
 */
export function classIndexTarget(loss: string, scoresName: string, scores: Tensor, target: Tensor, classes: number, ignoreIndex: number): Tensor {
  const expected = indexTargetShape(scores);
  if (target.dtype === 'bool' || isFloatingDType(target.dtype)) {
    throw new TypeError(`${loss}: class-index target must be an integer tensor of shape ${fmtShape(expected)}, got ${target.dtype} ${fmtShape(target.shape)} (${scoresName} ${fmtShape(scores.shape)})`);
  }
  if (!sameShape(target.shape, expected)) {
    throw new RangeError(`${loss}: target shape ${fmtShape(target.shape)} does not fit ${scoresName} ${fmtShape(scores.shape)}; class indices need shape ${fmtShape(expected)}`);
  }
  const t = target.dtype === 'int64' ? target : target.to('int64');
  if (t.numel() === 0) return t;
  const counted = ops.where$ScalarOther(t.ne(ignoreIndex), t, 0);
  const [lo, hi] = stack(ops.aminmax(counted)).toFlatArray() as [number, number];
  if (lo < 0 || hi >= classes) {
    const bad = lo < 0 ? lo : hi;
    throw new RangeError(`${loss}: target class ${bad} is out of range [0, ${classes}) for ${scoresName} ${fmtShape(scores.shape)} and target ${fmtShape(target.shape)} (ignoreIndex ${ignoreIndex} is skipped)`);
  }
  return t;
}
