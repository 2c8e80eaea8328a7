// Per-sample loss weights: the objective becomes the weighted mean of the per-sample
// losses, each sample's weight looked up through the batch's dataset indices. The weights
// live in a Float32Array the caller may change between epochs (self-paced learning
// recomputes them from the losses).
import { tensor } from '../../torch/index.js';
import { weightedMean } from '../../nn/index.js';
import type { Callback, StepState } from '../callback.js';

export class SampleWeighting implements Callback {
  readonly needsSampleLosses = true;

  /** One weight per sample of the training dataset. */
  constructor(readonly weights: Float32Array) {
    if (!(weights instanceof Float32Array)) throw new TypeError('SampleWeighting: weights must be a Float32Array with one weight per training sample');
  }

  afterLoss(state: StepState): void {
    const losses = state.sampleLosses!;
    const n = state.data.indices.length;
    if (losses.ndim !== 1 || losses.shape[0] !== n) {
      throw new Error(`SampleWeighting: needs a loss that returns one value per sample for reduction 'none'; got shape [${losses.shape}] for a batch of ${n}`);
    }
    const w = tensor(Float32Array.from(state.data.indices, (i) => {
      const v = this.weights[i];
      if (v === undefined) throw new RangeError(`SampleWeighting: sample index ${i} is beyond the ${this.weights.length} weights`);
      return v;
    })).to(losses.device);
    state.loss = weightedMean(losses, w);
  }
}
