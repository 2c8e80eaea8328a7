// The noisy-label study's CNN for 32×32 RGB images: three 3×3 'same' convolutions
// (32, 64, 128 filters) each with ReLU and 2×2 max-pooling, then dropout 0.2, dense 64
// with ReLU and the class layer.
import { Sequential, Conv2d, ReLU, MaxPool2d, Dropout, Linear } from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, checkProbability, resolveInputSize, probeOutputShape, flatFeatures } from './options.js';
import { ConvClassifier } from './conv-classifier.js';

export interface NoisyLabelCnnOptions extends ModelOptions {
  /** Dropout before the dense layer (0.2 in the study). */
  dropout?: number;
}

export class NoisyLabelCnn extends ConvClassifier {}

export function noisyLabelCnn(opts: NoisyLabelCnnOptions = {}): NoisyLabelCnn {
  const who = 'noisyLabelCnn';
  const c = checkPositiveInt(opts.inChannels ?? 3, `${who}: inChannels`);
  const hw = resolveInputSize(opts.inputSize ?? 32, who);
  const n = checkPositiveInt(opts.numClasses ?? 10, `${who}: numClasses`);
  const p = checkProbability(opts.dropout ?? 0.2, `${who}: dropout`);
  const layers = [];
  let inCh = c;
  for (const outCh of [32, 64, 128]) {
    layers.push(new Conv2d(inCh, outCh, 3, { padding: 'same' }), new ReLU(), new MaxPool2d(2));
    inCh = outCh;
  }
  const features = new Sequential(...layers);
  const flat = flatFeatures(probeOutputShape(features, c, hw, who));
  const classifier = new Sequential(new Dropout(p), new Linear(flat, 64), new ReLU(), new Linear(64, n));
  return new NoisyLabelCnn({ features, classifier, headIndex: 3 });
}
