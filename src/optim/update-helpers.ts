// Pieces shared by the optimizers' update rules.
import { Tensor, ops, keep, zerosLike } from '../torch/index.js';
import type { ParamState } from './optimizer.js';

/**
 * The gradient the update rule sees: negated when maximizing, plus L2 weight decay
 * (`grad + weightDecay * param`) when weightDecay is set, as in PyTorch.
 */
export function effectiveGrads(params: Tensor[], grads: Tensor[], maximize: boolean, weightDecay: number): Tensor[] {
  let d = maximize ? ops._foreach_neg(grads) : grads;
  if (weightDecay !== 0) d = ops._foreach_add$List(d, params, { alpha: weightDecay });
  return d;
}

/** The state tensor `key` of a parameter, created as zeros (and kept past the step's scope) on first use. */
export function stateTensor(s: ParamState, key: string, p: Tensor, fill = 0): Tensor {
  const v = s[key];
  if (v instanceof Tensor) return v;
  const t = keep(fill === 0 ? zerosLike(p) : ops.full_like(p, fill));
  s[key] = t;
  return t;
}

/** Increments each parameter's step count (a plain number, so no value is read back from the device). */
export function countStep(states: ParamState[]): void {
  for (const s of states) s.step = ((s.step as number | undefined) ?? 0) + 1;
}
