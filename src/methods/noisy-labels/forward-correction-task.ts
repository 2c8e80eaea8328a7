// Classification trained with forward loss correction. Samples with a trusted label (the
// clean subset) keep plain cross-entropy: their label went through no noise.
import { type Tensor, tensor, tidy, where } from '../../torch/index.js';
import { crossEntropy } from '../../nn/index.js';
import { ClassificationTask, type StepBatch, type LossReduction, type LossFunction } from '../../train/index.js';
import { forwardCorrectedLoss } from './forward-correction.js';

export interface ForwardCorrectionOptions {
  /** T[i][j] = P(given label j | true class i). */
  transition: number[][];
  /** Per training sample (by dataset index): 1 where the label is trusted. */
  trusted?: Uint8Array;
}

export class ForwardCorrectionTask extends ClassificationTask {
  private readonly corrected: LossFunction;

  constructor(readonly opts: ForwardCorrectionOptions) {
    super();
    this.corrected = forwardCorrectedLoss(opts.transition);
  }

  override loss(outputs: Tensor, batch: StepBatch, reduction: LossReduction): Tensor {
    return tidy(() => {
      const trusted = this.opts.trusted;
      let perSample = this.corrected(outputs, batch.targets, { reduction: 'none' });
      if (trusted) {
        const mask = tensor(Uint8Array.from(batch.indices, (i) => trusted[i] ?? 0)).to('bool').to(outputs.device);
        perSample = where(mask, crossEntropy(outputs, batch.targets, { reduction: 'none' }), perSample);
      }
      return reduction === 'none' ? perSample : perSample.mean();
    });
  }
}
