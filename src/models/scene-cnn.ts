// A 12-convolution network for 80×80 RGB scene photos: four blocks of three 3×3
// conv + batch norm + ReLU (32, 64, 128, 256 filters), max-pool after each block,
// global average pooling, dropout and the class layer. Global pooling keeps the
// parameter count independent of the input size.
import { Sequential, Dropout, Linear, AdaptiveAvgPool2d } from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, checkProbability, resolveInputSize, probeOutputShape } from './options.js';
import { ConvClassifier } from './conv-classifier.js';
import { convBnBlocks, checkBlockCount } from './conv-bn-blocks.js';

export interface SceneCnnOptions extends ModelOptions {
  /** Dropout before the class layer. */
  dropout?: number;
  /** Filters of the four blocks. */
  widths?: readonly number[];
}

export class SceneCnn extends ConvClassifier {}

export function sceneCnn(opts: SceneCnnOptions = {}): SceneCnn {
  const who = 'sceneCnn';
  const c = checkPositiveInt(opts.inChannels ?? 3, `${who}: inChannels`);
  const hw = resolveInputSize(opts.inputSize ?? 80, who);
  const n = checkPositiveInt(opts.numClasses ?? 6, `${who}: numClasses`);
  const p = checkProbability(opts.dropout ?? 0.3, `${who}: dropout`);
  const widths = checkBlockCount(opts.widths ?? [32, 64, 128, 256], 4, who);
  const features = convBnBlocks(c, widths, 3, who);
  probeOutputShape(features, c, hw, who);
  const classifier = new Sequential(new Dropout(p), new Linear(widths[3]!, n));
  return new SceneCnn({ features, avgpool: new AdaptiveAvgPool2d(1), classifier, headIndex: 1 });
}
