// VGG-16 (configuration "D"), optionally with batch norm, with torchvision's module names
// (features.N, avgpool, classifier.0/3/6) so torchvision state dicts load unchanged.
import { Module, Sequential, Conv2d, BatchNorm2d, ReLU, MaxPool2d, Dropout, Linear, AdaptiveAvgPool2d } from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, checkProbability } from './options.js';
import { ConvClassifier } from './conv-classifier.js';
import { torchvisionInit } from './init.js';

export interface VggOptions extends ModelOptions {
  batchNorm?: boolean;
  dropout?: number;
}

/** Filters per conv layer, 'M' for a 2×2 max-pool. */
const VGG16_CONFIG: readonly (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];

export class VGG extends ConvClassifier {}

function vggFeatures(config: readonly (number | 'M')[], inChannels: number, batchNorm: boolean): Sequential {
  const layers: Module[] = [];
  let inCh = inChannels;
  for (const v of config) {
    if (v === 'M') {
      layers.push(new MaxPool2d(2, { stride: 2 }));
      continue;
    }
    layers.push(new Conv2d(inCh, v, 3, { padding: 1 }));
    if (batchNorm) layers.push(new BatchNorm2d(v));
    layers.push(new ReLU());
    inCh = v;
  }
  return new Sequential(...layers);
}

/** torchvision.models.vgg16 (138,357,544 parameters with 1000 classes); `batchNorm` gives vgg16_bn. */
export function vgg16(opts: VggOptions = {}): VGG {
  const who = opts.batchNorm ? 'vgg16_bn' : 'vgg16';
  const n = checkPositiveInt(opts.numClasses ?? 1000, `${who}: numClasses`);
  const c = checkPositiveInt(opts.inChannels ?? 3, `${who}: inChannels`);
  const p = checkProbability(opts.dropout ?? 0.5, `${who}: dropout`);
  const features = vggFeatures(VGG16_CONFIG, c, opts.batchNorm ?? false);
  const classifier = new Sequential(
    new Linear(512 * 7 * 7, 4096), new ReLU(), new Dropout(p),
    new Linear(4096, 4096), new ReLU(), new Dropout(p),
    new Linear(4096, n),
  );
  const model = new VGG({ features, avgpool: new AdaptiveAvgPool2d(7), classifier, headIndex: 6 });
  torchvisionInit(model, { linear: 'normal' });
  return model;
}

export function vgg16_bn(opts: Omit<VggOptions, 'batchNorm'> = {}): VGG {
  return vgg16({ ...opts, batchNorm: true });
}
