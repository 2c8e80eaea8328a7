// Adam-style updates scale by a factor that depends on each parameter's step count.
// Counts differ only when some parameters skipped steps (no gradient), so parameters
// are grouped by count and each group is updated with one call per operation.
import type { Tensor } from '../torch/index.js';
import type { SteppedState } from './optimizer.js';

export interface StepBucket {
  step: number;
  /** Positions in the group's lists of parameters with this step count. */
  indices: number[];
}

export function bucketsByStep(states: SteppedState[]): StepBucket[] {
  const byStep = new Map<number, number[]>();
  states.forEach((s, i) => {
    const step = s.step;
    const list = byStep.get(step);
    if (list) list.push(i);
    else byStep.set(step, [i]);
  });
  return [...byStep].map(([step, indices]) => ({ step, indices }));
}

/** The entries of `list` at `indices`, or `list` itself when the bucket holds every entry. */
export function pick(list: Tensor[], bucket: StepBucket): Tensor[] {
  return bucket.indices.length === list.length ? list : bucket.indices.map((i) => list[i]!);
}
