// Pieces shared by the optimizers' update rules.
import { Tensor, ops, keep, zerosLike } from '../torch/index.js';
import type { SteppedState } from './optimizer.js';

/**
 * The gradient the update rule sees: negated when maximizing, plus L2 weight decay
 * (`grad + weightDecay * param`) when weightDecay is set, as in PyTorch.
 */
export function effectiveGrads(params: Tensor[], grads: Tensor[], maximize: boolean, weightDecay: number): Tensor[] {
  let d = maximize ? ops._foreach_neg(grads) : grads;
  if (weightDecay !== 0) d = ops._foreach_add$List(d, params, { alpha: weightDecay });
  return d;
}

/** A new state tensor shaped like p, zeros unless `fill` says otherwise, kept past the step's scope. */
export function newStateTensor(p: Tensor, fill = 0): Tensor {
  return keep(fill === 0 ? zerosLike(p) : ops.full_like(p, fill));
}

/** The optional state tensor `key` of a parameter, created on first use (e.g. AMSGrad's maximum, switched on later). */
export function stateTensor<K extends string>(s: { [k in K]?: Tensor }, key: K, p: Tensor, fill = 0): Tensor {
  return (s[key] ??= newStateTensor(p, fill));
}

/** Increments each parameter's step count (a plain number, so no value is read back from the device). */
export function countStep(states: SteppedState[]): void {
  for (const s of states) s.step += 1;
}
