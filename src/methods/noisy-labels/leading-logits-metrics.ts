// Co-teaching's and label cleaning's training steps return the classifier's logits [N, K]
// with K more columns beside them (the peer network's logits, the cleaned labels), while
// evaluation returns the logits alone. Their metrics are measured on the leading K columns
// either way.
import type { Tensor } from '../../torch/index.js';
import type { EpochMetrics, StepBatch } from '../../train/index.js';

export class LeadingLogitsMetrics implements EpochMetrics {
  /** `classes()`: K, once a training step has seen it. */
  constructor(private readonly inner: EpochMetrics, private readonly classes: () => number | undefined) {}
  update(outputs: Tensor, batch: StepBatch): void {
    const k = this.classes();
    this.inner.update(k !== undefined && outputs.shape[1] === 2 * k ? outputs.narrow(1, 0, k) : outputs, batch);
  }
  compute(): Record<string, number> { return this.inner.compute(); }
  stateDict(): Record<string, number> { return this.inner.stateDict(); }
  loadStateDict(s: Record<string, number>): void { this.inner.loadStateDict(s); }
  dispose(): void { this.inner.dispose(); }
}
