// The noise-robust losses as the loss of a classification task, by name with their
// papers' default settings.
import { generalizedCrossEntropy, symmetricCrossEntropy, bootstrappingLoss } from '../../nn/index.js';
import type { LossFunction } from '../../train/index.js';

export const NOISY_LABEL_LOSSES = ['gce', 'sce', 'bootstrap-soft', 'bootstrap-hard'] as const;
export type NoisyLabelLossName = (typeof NOISY_LABEL_LOSSES)[number];

export interface NoisyLabelLossOptions {
  /** gce: (default 0.7). */
  q?: number;
  /** sce: weight of the cross-entropy (default 0.1). */
  alpha?: number;
  /** sce: weight of the reverse cross-entropy (default 1); bootstrap: weight of the given label. */
  beta?: number;
}

export function noisyLabelLoss(name: NoisyLabelLossName, o: NoisyLabelLossOptions = {}): LossFunction {
  const reduction = (r: 'mean' | 'none' | 'sum' | undefined) => r ?? 'mean';
  switch (name) {
    case 'gce': return (logits, t, c = {}) => generalizedCrossEntropy(logits, t, { q: o.q ?? 0.7, reduction: reduction(c.reduction) });
    case 'sce': return (logits, t, c = {}) => symmetricCrossEntropy(logits, t, { alpha: o.alpha ?? 0.1, beta: o.beta ?? 1, reduction: reduction(c.reduction) });
    case 'bootstrap-soft':
    case 'bootstrap-hard': {
      const mode = name === 'bootstrap-soft' ? 'soft' : 'hard';
      return (logits, t, c = {}) => bootstrappingLoss(logits, t, { mode, ...(o.beta !== undefined ? { beta: o.beta } : {}), reduction: reduction(c.reduction) });
    }
    default: throw new RangeError(`noisyLabelLoss: unknown loss '${String(name)}' (expected ${NOISY_LABEL_LOSSES.join(', ')})`);
  }
}
