// The noisy-label study's colour-histogram + logistic-regression baseline as a Module,
// so an experiment trains, checkpoints, evaluates and reports it like any other model.
// It takes the [0, 1] float images every loader produces and histograms their 8-bit values.
import { type Tensor, tidy } from '../torch/index.js';
import { Module, Linear } from '../nn/index.js';
import { colorHistogramFeatures } from './color-histogram.js';
import { child } from './options.js';

export const COLOR_HISTOGRAM_MODEL = 'color-histogram-logreg';

export class ColorHistogramLogReg extends Module {
  constructor(readonly inChannels: number, readonly numClasses: number, readonly bins = 16) {
    super();
    // Same parameter names as LogisticRegression, so weights move between the two.
    this.registerModule('linear', new Linear(inChannels * bins, numClasses));
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) {
      throw new RangeError(`${COLOR_HISTOGRAM_MODEL}: expected images [N, ${this.inChannels}, H, W], got [${x.shape.join(', ')}]`);
    }
    const features = tidy(() => {
      const bytes = x.dtype === 'uint8' ? x : x.detach().mul(255).round().clamp(0, 255).to('uint8');
      return colorHistogramFeatures(bytes, this.bins);
    });
    return child(this, 'linear', Linear).call(features);
  }
}
