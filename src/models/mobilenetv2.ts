// MobileNetV2 with torchvision's module structure and names (features.0.0 conv,
// features.0.1 bn, features.N.conv.M..., classifier.1), so torchvision state dicts load
// unchanged.
import { Tensor } from '../torch/index.js';
import { Module, Sequential, Conv2d, BatchNorm2d, ReLU6, Dropout, Linear } from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, checkProbability, child } from './options.js';
import { ConvClassifier } from './conv-classifier.js';
import { torchvisionInit } from './init.js';

export interface MobileNetV2Options extends ModelOptions {
  /** Channel width multiplier (torchvision's width_mult). */
  widthMult?: number;
  dropout?: number;
}

/** torchvision's _make_divisible: round to a multiple of 8, never dropping more than 10%. */
function makeDivisible(v: number, divisor = 8): number {
  let out = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * v) out += divisor;
  return out;
}

/** torchvision's Conv2dNormActivation: conv (no bias) → batch norm → ReLU6, children '0', '1', '2'. */
function convBnReLU6(inCh: number, outCh: number, kernel: number, stride = 1, groups = 1, dilation = 1): Sequential {
  return new Sequential(
    new Conv2d(inCh, outCh, kernel, { stride, padding: ((kernel - 1) >> 1) * dilation, dilation, groups, bias: false }),
    new BatchNorm2d(outCh),
    new ReLU6(),
  );
}

/** Expand (1×1) → depthwise 3×3 → linear projection (1×1), with a residual when shapes allow. */
export class InvertedResidual extends Module {
  readonly useResidual: boolean;

  /** dilation > 1 widens the depthwise convolution instead of striding (segmentation backbones). */
  constructor(readonly inChannels: number, readonly outChannels: number, readonly stride: number, expandRatio: number, dilation = 1) {
    super();
    if (stride !== 1 && stride !== 2) throw new RangeError(`InvertedResidual: stride must be 1 or 2, got ${stride}`);
    const hidden = Math.round(inChannels * expandRatio);
    this.useResidual = stride === 1 && inChannels === outChannels;
    const layers: Module[] = [];
    if (expandRatio !== 1) layers.push(convBnReLU6(inChannels, hidden, 1));
    layers.push(
      convBnReLU6(hidden, hidden, 3, stride, hidden, dilation),
      new Conv2d(hidden, outChannels, 1, { bias: false }),
      new BatchNorm2d(outChannels),
    );
    this.registerModule('conv', new Sequential(...layers));
  }

  override forward(x: Tensor): Tensor {
    const y = child(this, 'conv', Sequential).call(x);
    return this.useResidual ? x.add(y) : y;
  }
}

/** [expansion t, output channels c, repeats n, first stride s], as in the paper and torchvision. */
const SETTINGS: readonly [number, number, number, number][] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

export class MobileNetV2 extends ConvClassifier {
  /** Index in features of each block that halves the resolution (where a new stage starts). */
  constructor(parts: ConstructorParameters<typeof ConvClassifier>[0], private readonly stageStarts: number[]) {
    super(parts);
  }

  /** One stage per resolution, so progressive unfreezing releases whole scales at a time. */
  override backboneStages(): string[][] {
    return stagesByResolution(child(this, 'features', Sequential).length, this.stageStarts);
  }
}

/** `features.i` names grouped into stages, each starting at one of `stageStarts` (MobileNets). */
export function stagesByResolution(count: number, stageStarts: readonly number[]): string[][] {
  const bounds = [...stageStarts, count];
  const stages: string[][] = [];
  for (let s = 0; s + 1 < bounds.length; s++) {
    const names: string[] = [];
    for (let i = bounds[s]!; i < bounds[s + 1]!; i++) names.push(`features.${i}`);
    stages.push(names);
  }
  return stages;
}

export interface MobileNetV2Features {
  /** torchvision's `features`: stem, 17 inverted residual blocks, the last 1×1 conv. */
  features: Sequential;
  /** Index in features of each block that halves the resolution. */
  stageStarts: number[];
  /** Channels after each block of features. */
  channels: number[];
  outChannels: number;
}

/**
 * MobileNetV2's feature layers. With outputStride 8 or 16 the blocks past that stride keep
 * the resolution and dilate their depthwise convolutions instead (DeepLab's atrous
 * backbone); the default 32 is the classifier's.
 */
export function mobileNetV2Features(inChannels: number, width = 1, outputStride = 32): MobileNetV2Features {
  if (![8, 16, 32].includes(outputStride)) throw new RangeError(`mobileNetV2Features: outputStride must be 8, 16 or 32, got ${outputStride}`);
  let inCh = makeDivisible(32 * width);
  const lastChannel = makeDivisible(1280 * Math.max(1, width));
  const blocks: Module[] = [convBnReLU6(inChannels, inCh, 3, 2)];
  const channels = [inCh];
  const stageStarts = [0];
  let stride = 2, dilation = 1;
  for (const [t, ch, repeats, s] of SETTINGS) {
    const outCh = makeDivisible(ch * width);
    for (let i = 0; i < repeats; i++) {
      let blockStride = i === 0 ? s : 1;
      // The block that would halve the resolution past the output stride keeps the previous
      // dilation (as torchvision's replace_stride_with_dilation); the blocks after it double it.
      const blockDilation = dilation;
      if (blockStride === 2 && stride * 2 > outputStride) {
        blockStride = 1;
        dilation *= 2;
      } else if (blockStride === 2) {
        stride *= 2;
      }
      if (blockStride === 2) stageStarts.push(blocks.length);
      blocks.push(new InvertedResidual(inCh, outCh, blockStride, t, blockDilation));
      channels.push(outCh);
      inCh = outCh;
    }
  }
  blocks.push(convBnReLU6(inCh, lastChannel, 1));
  channels.push(lastChannel);
  return { features: new Sequential(...blocks), stageStarts, channels, outChannels: lastChannel };
}

/** torchvision.models.mobilenet_v2 (3,504,872 parameters with 1000 classes). */
export function mobilenetV2(opts: MobileNetV2Options = {}): MobileNetV2 {
  const who = 'mobilenetV2';
  const n = checkPositiveInt(opts.numClasses ?? 1000, `${who}: numClasses`);
  const c = checkPositiveInt(opts.inChannels ?? 3, `${who}: inChannels`);
  const p = checkProbability(opts.dropout ?? 0.2, `${who}: dropout`);
  const width = opts.widthMult ?? 1;
  if (!(typeof width === 'number' && width > 0)) throw new RangeError(`${who}: widthMult must be positive, got ${String(width)}`);

  const { features, stageStarts, outChannels: lastChannel } = mobileNetV2Features(c, width);
  const classifier = new Sequential(new Dropout(p), new Linear(lastChannel, n));
  const model = new MobileNetV2({ features, classifier, globalAvgPool: true, headIndex: 1 }, stageStarts);
  torchvisionInit(model, { linear: 'normal' });
  return model;
}
