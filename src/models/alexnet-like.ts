// A small AlexNet-style network for 32–80 px inputs: five convolutions (two wide
// kernels, then three 3×3) with overlapping 3×3/2 max-pooling, adaptive average pooling
// to 3×3 and a dropout MLP classifier. Unlike AlexNet's 11×11/4 first layer it keeps
// stride 1, because small images have no resolution to spare. Module names follow
// torchvision's AlexNet (features, avgpool, classifier.6 as the head).
import { Sequential, Conv2d, ReLU, MaxPool2d, Dropout, Linear, AdaptiveAvgPool2d } from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, checkProbability, resolveInputSize, probeOutputShape } from './options.js';
import { ConvClassifier } from './conv-classifier.js';

export interface AlexnetLikeOptions extends ModelOptions {
  dropout?: number;
  /** Width of the two hidden classifier layers. */
  hidden?: number;
}

export class AlexnetLike extends ConvClassifier {}

export function alexnetLike(opts: AlexnetLikeOptions = {}): AlexnetLike {
  const who = 'alexnetLike';
  const c = checkPositiveInt(opts.inChannels ?? 3, `${who}: inChannels`);
  const hw = resolveInputSize(opts.inputSize ?? 32, who);
  if (hw[0] < 16 || hw[1] < 16) throw new RangeError(`${who}: inputs must be at least 16×16, got ${hw[0]}×${hw[1]}`);
  const n = checkPositiveInt(opts.numClasses ?? 10, `${who}: numClasses`);
  const p = checkProbability(opts.dropout ?? 0.5, `${who}: dropout`);
  const hidden = checkPositiveInt(opts.hidden ?? 256, `${who}: hidden`);

  const features = new Sequential(
    new Conv2d(c, 32, 5, { padding: 2 }), new ReLU(), new MaxPool2d(3, { stride: 2 }),
    new Conv2d(32, 64, 5, { padding: 2 }), new ReLU(), new MaxPool2d(3, { stride: 2 }),
    new Conv2d(64, 96, 3, { padding: 1 }), new ReLU(),
    new Conv2d(96, 96, 3, { padding: 1 }), new ReLU(),
    new Conv2d(96, 64, 3, { padding: 1 }), new ReLU(), new MaxPool2d(3, { stride: 2 }),
  );
  probeOutputShape(features, c, hw, who);
  const classifier = new Sequential(
    new Dropout(p), new Linear(64 * 3 * 3, hidden), new ReLU(),
    new Dropout(p), new Linear(hidden, hidden), new ReLU(),
    new Linear(hidden, n),
  );
  return new AlexnetLike({ features, avgpool: new AdaptiveAvgPool2d(3), classifier, headIndex: 6 });
}
