// Every zoo model by name, so configs and the CLI can say `model: resnet18`. Lookup
// ignores case, '-' and '_' (so 'mobilenetV2', 'mobilenet_v2' and 'MobileNet-V2' agree).
import type { Module } from '../nn/index.js';
import type { ModelOptions } from './options.js';
import { mlp, type MlpOptions } from './mlp.js';
import { noisyLabelCnn, type NoisyLabelCnnOptions } from './simple-cnn.js';
import { fashionCnn, type FashionCnnOptions, type FashionVariant } from './fashion-cnns.js';
import { fashionVgg, type FashionVggOptions } from './fashion-vgg.js';
import { sceneCnn, type SceneCnnOptions } from './scene-cnn.js';
import { alexnetLike, type AlexnetLikeOptions } from './alexnet-like.js';
import { resnet18, resnet34, type ResNetOptions } from './resnet.js';
import { vgg16, vgg16_bn, type VggOptions } from './vgg.js';
import { mobilenetV2, type MobileNetV2Options } from './mobilenetv2.js';
import { mobilenetV3Large, type MobileNetV3Options } from './mobilenetv3.js';
import { ColorHistogramLogReg, COLOR_HISTOGRAM_MODEL } from './color-histogram-logreg.js';
import { convAutoencoder, type ConvAutoencoderOptions } from './conv-autoencoder.js';
import { dncnn, type DnCnnOptions } from './dncnn.js';
import { unetDenoiser, type UNetDenoiserOptions } from './unet-denoiser.js';
import type { DeepLabV3PlusOptions } from './deeplabv3plus.js';
import type { UNetOptions } from './unet.js';

/** Every option any zoo model understands; each model reads the ones it knows. */
export type CreateModelOptions = ModelOptions & MlpOptions & NoisyLabelCnnOptions & Omit<FashionCnnOptions, 'variant'> & FashionVggOptions &
  SceneCnnOptions & AlexnetLikeOptions & ResNetOptions & Omit<VggOptions, 'batchNorm'> & MobileNetV2Options & MobileNetV3Options &
  Omit<ConvAutoencoderOptions, 'batchNorm'> & DnCnnOptions & UNetDenoiserOptions & DeepLabV3PlusOptions & UNetOptions & {
    /** Histogram bins per channel (color-histogram-logreg). */
    bins?: number;
  };

export interface ModelInfo {
  name: string;
  description: string;
  /** The input the model was designed for: [channels, height, width]. */
  defaultInput: [number, number, number];
  defaultClasses: number;
  /** What the model outputs: class logits (the default) or an image of its input's shape (denoisers, autoencoders; defaultClasses 0). */
  output?: 'logits' | 'image';
}

interface ModelEntry extends ModelInfo {
  create(opts: CreateModelOptions): Module;
}

const entries = new Map<string, ModelEntry>();

function key(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** Adds a model under a name (later layers can register their own architectures). */
export function registerModel(entry: ModelEntry): void {
  const k = key(entry.name);
  if (entries.has(k)) throw new Error(`registerModel: a model named '${entries.get(k)!.name}' is already registered`);
  entries.set(k, entry);
}

/** Builds a registered model; unknown names list the known ones. */
export function createModel(name: string, opts: CreateModelOptions = {}): Module {
  const entry = entries.get(key(String(name)));
  if (!entry) throw new Error(`createModel: unknown model '${name}'. Known models: ${listModels().join(', ')}`);
  return entry.create(opts);
}

/** Registered model names in registration order. */
export function listModels(): string[] {
  return [...entries.values()].map((e) => e.name);
}

export function modelInfo(name: string): ModelInfo {
  const entry = entries.get(key(String(name)));
  if (!entry) throw new Error(`modelInfo: unknown model '${name}'. Known models: ${listModels().join(', ')}`);
  const { create: _create, ...info } = entry;
  return info;
}

registerModel({
  name: 'mlp', description: 'Flatten → Dense 128 + ReLU → Dense n (the Keras baseline)',
  defaultInput: [1, 28, 28], defaultClasses: 10, create: (o) => mlp(o),
});
registerModel({
  name: 'noisy-label-cnn', description: 'Conv 32/64/128 (3×3 same, ReLU, 2×2 pool), dropout 0.2, dense 64, dense n; the noisy-label study CNN',
  defaultInput: [3, 32, 32], defaultClasses: 10, create: (o) => noisyLabelCnn(o),
});
const fashion: [string, FashionVariant, string][] = [
  ['fashion-cnn', 'base', 'Conv 32 → pool → conv 64 → pool → dense 128 → dense n (Fashion-MNIST study base)'],
  ['fashion-cnn-bn', 'batchnorm', 'Fashion-MNIST study CNN with batch norm after each convolution'],
  ['fashion-cnn-dropout', 'dropout', 'Fashion-MNIST study CNN with dropout after each block and the dense layer'],
  ['fashion-cnn-l2', 'l2', 'Fashion-MNIST study CNN with an L2 penalty on every kernel (see modelPenalty)'],
  ['fashion-cnn-l1', 'l1', 'Fashion-MNIST study CNN with an L1 penalty on every kernel (see modelPenalty)'],
  ['fashion-cnn-plus', 'plus', 'Conv 32/64/128 (widths configurable) with batch norm and dropout: the stronger Fashion-MNIST default'],
];
for (const [name, variant, description] of fashion) {
  registerModel({ name, description, defaultInput: [1, 28, 28], defaultClasses: 10, create: (o) => fashionCnn({ ...o, variant }) });
}
registerModel({
  name: 'fashion-vgg', description: 'Three blocks of two conv + batch norm (32/64/128), pool, dropout, dense 128, dense n: the best Fashion-MNIST model',
  defaultInput: [1, 28, 28], defaultClasses: 10, create: (o) => fashionVgg(o),
});
registerModel({
  name: 'scene-cnn', description: '12 conv + batch norm layers in 4 blocks (32/64/128/256), global average pool, dropout, dense n',
  defaultInput: [3, 80, 80], defaultClasses: 6, create: (o) => sceneCnn(o),
});
registerModel({
  name: 'alexnet-like', description: 'Small AlexNet-style CNN (5 convs, overlapping pooling, dropout MLP) for 32–80 px inputs',
  defaultInput: [3, 32, 32], defaultClasses: 10, create: (o) => alexnetLike(o),
});
// torchvision's ImageNet models: 224×224 RGB input and 1000 classes unless told otherwise.
registerModel({
  name: COLOR_HISTOGRAM_MODEL,
  description: 'Per-channel colour histograms (16 bins) + multinomial logistic regression: the noisy-label baseline',
  defaultInput: [3, 32, 32], defaultClasses: 10,
  create: (o) => new ColorHistogramLogReg(o.inChannels ?? 3, o.numClasses ?? 10, o.bins ?? 16),
});
const torchvisionModels: [string, string, ModelEntry['create']][] = [
  ['resnet18', "torchvision ResNet-18 (stem 'imagenet' or 'cifar')", (o) => resnet18(o)],
  ['resnet34', "torchvision ResNet-34 (stem 'imagenet' or 'cifar')", (o) => resnet34(o)],
  ['vgg16', 'torchvision VGG-16', (o) => vgg16(o)],
  ['vgg16_bn', 'torchvision VGG-16 with batch norm', (o) => vgg16_bn(o)],
  ['mobilenet_v2', 'torchvision MobileNetV2 (width multiplier 1.0 unless widthMult is set)', (o) => mobilenetV2(o)],
  ['mobilenet_v3_large', 'torchvision MobileNetV3-Large (hardswish, squeeze-and-excitation, classifier 960 → 1280 → n)', (o) => mobilenetV3Large(o)],
];
for (const [name, description, create] of torchvisionModels) {
  registerModel({ name, description, defaultInput: [3, 224, 224], defaultClasses: 1000, create });
}
// Denoisers and autoencoders: images in, images out (numClasses is ignored).
registerModel({
  name: 'conv-autoencoder', description: 'Conv autoencoder: 2 conv + pool stages (32, 64), transposed-conv decoder, sigmoid output (the study style)',
  defaultInput: [1, 28, 28], defaultClasses: 0, output: 'image', create: (o) => convAutoencoder(o),
});
for (const preset of ['128x10x10', '32x38x38', '32x71x71'] as const) {
  registerModel({
    name: `conv-autoencoder-${preset}`, description: `Conv autoencoder with a ${preset.replace(/x/g, '×')} latent map for 80×80 inputs (scene study preset)`,
    defaultInput: [3, 80, 80], defaultClasses: 0, output: 'image', create: (o) => convAutoencoder({ inChannels: 3, inputSize: 80, ...o, preset }),
  });
}
registerModel({
  name: 'dncnn', description: 'DnCNN-style residual denoiser: 17 conv + batch norm layers of 64 maps predicting the noise',
  defaultInput: [1, 28, 28], defaultClasses: 0, output: 'image', create: (o) => dncnn(o),
});
registerModel({
  name: 'unet-denoiser', description: 'U-Net denoiser (widths 32/64/128, batch norm, skip connections) predicting the noise',
  defaultInput: [1, 28, 28], defaultClasses: 0, output: 'image', create: (o) => unetDenoiser(o),
});
