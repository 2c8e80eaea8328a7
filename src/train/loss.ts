// The loss fit() and evaluate() use: a built-in name or a function of (logits, targets).
import type { Tensor } from '../torch/index.js';
import { crossEntropy, binaryCrossEntropyWithLogits, mseLoss } from '../nn/index.js';

export interface LossCallOptions {
  /** 'none' asks for one loss per sample (sample weighting); built-in losses honour it. */
  reduction?: 'mean' | 'none' | 'sum';
  /** Per-class weights [C] (cross-entropy only). */
  weight?: Tensor | null;
}

export type LossFunction = (logits: Tensor, targets: Tensor, opts?: LossCallOptions) => Tensor;
export type LossSpec = LossFunction | 'cross-entropy' | 'bce-with-logits' | 'mse';

const BUILT_IN: Record<string, LossFunction> = {
  'cross-entropy': (logits, targets, o = {}) => crossEntropy(logits, targets, { reduction: o.reduction ?? 'mean', weight: o.weight ?? null }),
  'bce-with-logits': (logits, targets, o = {}) => {
    const t = targets.dtype === logits.dtype ? targets : targets.to(logits.dtype);
    const l = binaryCrossEntropyWithLogits(logits, t, { reduction: o.reduction === 'none' ? 'none' : o.reduction ?? 'mean' });
    // One loss per sample: average over the labels of a multi-label row.
    return o.reduction === 'none' && l.ndim > 1 ? l.reshape([l.shape[0]!, -1]).mean(1) : l;
  },
  mse: (logits, targets, o = {}) => {
    const t = targets.dtype === logits.dtype ? targets : targets.to(logits.dtype);
    const l = mseLoss(logits, t, { reduction: o.reduction ?? 'mean' });
    return o.reduction === 'none' && l.ndim > 1 ? l.reshape([l.shape[0]!, -1]).mean(1) : l;
  },
};

export function resolveLoss(spec: LossSpec | undefined, where: string): { fn: LossFunction; name: string } {
  if (spec === undefined) return { fn: BUILT_IN['cross-entropy']!, name: 'cross-entropy' };
  if (typeof spec === 'function') return { fn: spec, name: spec.name || 'custom' };
  const fn = BUILT_IN[spec];
  if (!fn) throw new RangeError(`${where}: unknown loss '${String(spec)}' (expected a function, 'cross-entropy', 'bce-with-logits' or 'mse')`);
  return { fn, name: spec };
}
