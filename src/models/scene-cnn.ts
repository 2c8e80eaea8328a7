// A 12-convolution network for 80×80 RGB scene photos: four blocks of three 3×3
// conv + batch norm + ReLU (32, 64, 128, 256 filters), max-pool after each block,
// global average pooling, dropout and the class layer. Global pooling keeps the
// parameter count independent of the input size.
import { Module, Sequential, Conv2d, BatchNorm2d, ReLU, MaxPool2d, Dropout, Linear, AdaptiveAvgPool2d } from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, checkProbability, resolveInputSize, probeOutputShape } from './options.js';
import { ConvClassifier } from './conv-classifier.js';

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
  const widths = opts.widths ?? [32, 64, 128, 256];
  if (widths.length !== 4) throw new RangeError(`${who}: widths must list 4 block widths, got ${widths.length}`);
  widths.forEach((w, i) => checkPositiveInt(w, `${who}: widths[${i}]`));

  const blocks: Module[] = [];
  let inCh = c;
  for (const outCh of widths) {
    const layers: Module[] = [];
    for (let k = 0; k < 3; k++) {
      layers.push(new Conv2d(k === 0 ? inCh : outCh, outCh, 3, { padding: 1, bias: false }), new BatchNorm2d(outCh), new ReLU());
    }
    layers.push(new MaxPool2d(2));
    blocks.push(new Sequential(...layers));
    inCh = outCh;
  }
  const features = new Sequential(...blocks);
  probeOutputShape(features, c, hw, who);
  const classifier = new Sequential(new Dropout(p), new Linear(inCh, n));
  return new SceneCnn({ features, avgpool: new AdaptiveAvgPool2d(1), classifier, headIndex: 1 });
}
