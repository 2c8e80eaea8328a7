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
function convBnReLU6(inCh: number, outCh: number, kernel: number, stride = 1, groups = 1): Sequential {
  return new Sequential(
    new Conv2d(inCh, outCh, kernel, { stride, padding: (kernel - 1) >> 1, groups, bias: false }),
    new BatchNorm2d(outCh),
    new ReLU6(),
  );
}

/** Expand (1×1) → depthwise 3×3 → linear projection (1×1), with a residual when shapes allow. */
export class InvertedResidual extends Module {
  readonly useResidual: boolean;

  constructor(readonly inChannels: number, readonly outChannels: number, readonly stride: number, expandRatio: number) {
    super();
    if (stride !== 1 && stride !== 2) throw new RangeError(`InvertedResidual: stride must be 1 or 2, got ${stride}`);
    const hidden = Math.round(inChannels * expandRatio);
    this.useResidual = stride === 1 && inChannels === outChannels;
    const layers: Module[] = [];
    if (expandRatio !== 1) layers.push(convBnReLU6(inChannels, hidden, 1));
    layers.push(
      convBnReLU6(hidden, hidden, 3, stride, hidden),
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
    const count = child(this, 'features', Sequential).length;
    const bounds = [...this.stageStarts, count];
    const stages: string[][] = [];
    for (let s = 0; s + 1 < bounds.length; s++) {
      const names: string[] = [];
      for (let i = bounds[s]!; i < bounds[s + 1]!; i++) names.push(`features.${i}`);
      stages.push(names);
    }
    return stages;
  }
}

/** torchvision.models.mobilenet_v2 (3,504,872 parameters with 1000 classes). */
export function mobilenetV2(opts: MobileNetV2Options = {}): MobileNetV2 {
  const who = 'mobilenetV2';
  const n = checkPositiveInt(opts.numClasses ?? 1000, `${who}: numClasses`);
  const c = checkPositiveInt(opts.inChannels ?? 3, `${who}: inChannels`);
  const p = checkProbability(opts.dropout ?? 0.2, `${who}: dropout`);
  const width = opts.widthMult ?? 1;
  if (!(typeof width === 'number' && width > 0)) throw new RangeError(`${who}: widthMult must be positive, got ${String(width)}`);

  let inCh = makeDivisible(32 * width);
  const lastChannel = makeDivisible(1280 * Math.max(1, width));
  const blocks: Module[] = [convBnReLU6(c, inCh, 3, 2)];
  const stageStarts = [0];
  for (const [t, ch, repeats, s] of SETTINGS) {
    const outCh = makeDivisible(ch * width);
    for (let i = 0; i < repeats; i++) {
      const stride = i === 0 ? s : 1;
      if (stride === 2) stageStarts.push(blocks.length);
      blocks.push(new InvertedResidual(inCh, outCh, stride, t));
      inCh = outCh;
    }
  }
  blocks.push(convBnReLU6(inCh, lastChannel, 1));
  const features = new Sequential(...blocks);
  const classifier = new Sequential(new Dropout(p), new Linear(lastChannel, n));
  const model = new MobileNetV2({ features, classifier, globalAvgPool: true, headIndex: 1 }, stageStarts);
  torchvisionInit(model, { linear: 'normal' });
  return model;
}
