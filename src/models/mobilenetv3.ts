// MobileNetV3-Large with torchvision's module structure and names (features.0.0 conv,
// features.N.block.M..., block.K.fc1 in squeeze-and-excitation, classifier.3), so
// torchvision state dicts load unchanged.
import { Tensor } from '../torch/index.js';
import {
  Module, Sequential, Conv2d, BatchNorm2d, ReLU, Hardswish, Hardsigmoid, Dropout, Linear, AdaptiveAvgPool2d,
} from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, checkProbability, child } from './options.js';
import { ConvClassifier } from './conv-classifier.js';
import { torchvisionInit } from './init.js';
import { stagesByResolution } from './mobilenetv2.js';

export interface MobileNetV3Options extends ModelOptions {
  dropout?: number;
}

type Activation = 'RE' | 'HS';

/** torchvision's _make_divisible: round to a multiple of 8, never dropping more than 10%. */
function makeDivisible(v: number, divisor = 8): number {
  let out = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * v) out += divisor;
  return out;
}

/** MobileNetV3's batch norm: eps 0.001, momentum 0.01 (torchvision's norm_layer). */
function batchNorm(channels: number): BatchNorm2d {
  return new BatchNorm2d(channels, { eps: 0.001, momentum: 0.01 });
}

/** torchvision's Conv2dNormActivation: conv (no bias), batch norm, then the activation if any: children '0', '1', '2'. */
function convBnAct(inCh: number, outCh: number, kernel: number, act: Activation | null, stride = 1, groups = 1, dilation = 1): Sequential {
  const layers: Module[] = [
    new Conv2d(inCh, outCh, kernel, { stride, padding: ((kernel - 1) >> 1) * dilation, dilation, groups, bias: false }),
    batchNorm(outCh),
  ];
  if (act) layers.push(act === 'HS' ? new Hardswish() : new ReLU());
  return new Sequential(...layers);
}

/** torchvision's SqueezeExcitation with a hard-sigmoid gate: x · hardsigmoid(fc2(relu(fc1(mean(x))))). */
export class SqueezeExcitation extends Module {
  constructor(channels: number, squeezeChannels: number) {
    super();
    this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.registerModule('fc1', new Conv2d(channels, squeezeChannels, 1));
    this.registerModule('fc2', new Conv2d(squeezeChannels, channels, 1));
    this.registerModule('activation', new ReLU());
    this.registerModule('scale_activation', new Hardsigmoid());
  }

  override forward(x: Tensor): Tensor {
    let s = child(this, 'avgpool', AdaptiveAvgPool2d).call(x);
    s = child(this, 'activation', ReLU).call(child(this, 'fc1', Conv2d).call(s));
    s = child(this, 'scale_activation', Hardsigmoid).call(child(this, 'fc2', Conv2d).call(s));
    return s.mul(x);
  }
}

/** One bneck row of the paper: input, kernel, expanded and output channels, SE, activation, stride, dilation. */
export interface MobileNetV3BlockConfig {
  inChannels: number;
  kernel: number;
  expanded: number;
  outChannels: number;
  squeezeExcite: boolean;
  activation: Activation;
  stride: number;
  dilation: number;
}

/** Expand (1×1, when widening) → depthwise k×k → squeeze-and-excitation → linear 1×1 projection, as `block`. */
export class MobileNetV3Block extends Module {
  readonly useResidual: boolean;
  readonly outChannels: number;

  constructor(cfg: MobileNetV3BlockConfig) {
    super();
    if (cfg.stride !== 1 && cfg.stride !== 2) throw new RangeError(`MobileNetV3Block: stride must be 1 or 2, got ${cfg.stride}`);
    this.useResidual = cfg.stride === 1 && cfg.inChannels === cfg.outChannels;
    this.outChannels = cfg.outChannels;
    const layers: Module[] = [];
    if (cfg.expanded !== cfg.inChannels) layers.push(convBnAct(cfg.inChannels, cfg.expanded, 1, cfg.activation));
    // A dilated block keeps the resolution (torchvision: stride 1 whenever dilation > 1).
    const stride = cfg.dilation > 1 ? 1 : cfg.stride;
    layers.push(convBnAct(cfg.expanded, cfg.expanded, cfg.kernel, cfg.activation, stride, cfg.expanded, cfg.dilation));
    if (cfg.squeezeExcite) layers.push(new SqueezeExcitation(cfg.expanded, makeDivisible(Math.floor(cfg.expanded / 4))));
    layers.push(convBnAct(cfg.expanded, cfg.outChannels, 1, null));
    this.registerModule('block', new Sequential(...layers));
  }

  override forward(x: Tensor): Tensor {
    const y = child(this, 'block', Sequential).call(x);
    return this.useResidual ? y.add(x) : y;
  }
}

/** torchvision's mobilenet_v3_large settings (reduced_tail off). */
function largeSettings(dilation: number): MobileNetV3BlockConfig[] {
  const rows: [number, number, number, number, boolean, Activation, number, number][] = [
    [16, 3, 16, 16, false, 'RE', 1, 1],
    [16, 3, 64, 24, false, 'RE', 2, 1],
    [24, 3, 72, 24, false, 'RE', 1, 1],
    [24, 5, 72, 40, true, 'RE', 2, 1],
    [40, 5, 120, 40, true, 'RE', 1, 1],
    [40, 5, 120, 40, true, 'RE', 1, 1],
    [40, 3, 240, 80, false, 'HS', 2, 1],
    [80, 3, 200, 80, false, 'HS', 1, 1],
    [80, 3, 184, 80, false, 'HS', 1, 1],
    [80, 3, 184, 80, false, 'HS', 1, 1],
    [80, 3, 480, 112, true, 'HS', 1, 1],
    [112, 3, 672, 112, true, 'HS', 1, 1],
    [112, 5, 672, 160, true, 'HS', 2, dilation],
    [160, 5, 960, 160, true, 'HS', 1, dilation],
    [160, 5, 960, 160, true, 'HS', 1, dilation],
  ];
  return rows.map(([inChannels, kernel, expanded, outChannels, squeezeExcite, activation, stride, d]) => ({
    inChannels: makeDivisible(inChannels), kernel, expanded: makeDivisible(expanded), outChannels: makeDivisible(outChannels),
    squeezeExcite, activation, stride, dilation: d,
  }));
}

export interface MobileNetV3Features {
  /** torchvision's `features`: stem (index 0), 15 bneck blocks, the last 1×1 conv (index 16). */
  features: Sequential;
  /** Index in features of each block configured with stride 2 (torchvision's `_is_cn`), after the stem at 0. */
  stageStarts: number[];
  /** Channels after each entry of features. */
  channels: number[];
  outChannels: number;
}

/**
 * MobileNetV3-Large's feature layers. `dilated` is torchvision's dilated=True: the last
 * stage (features 13-15) keeps the resolution and dilates its depthwise convolutions by 2
 * (output stride 16), as LR-ASPP uses it.
 */
export function mobileNetV3LargeFeatures(inChannels = 3, dilated = false): MobileNetV3Features {
  const settings = largeSettings(dilated ? 2 : 1);
  const first = settings[0]!.inChannels;
  const blocks: Module[] = [convBnAct(inChannels, first, 3, 'HS', 2)];
  const channels = [first];
  const stageStarts = [0];
  for (const cfg of settings) {
    if (cfg.stride === 2) stageStarts.push(blocks.length);
    blocks.push(new MobileNetV3Block(cfg));
    channels.push(cfg.outChannels);
  }
  const lastIn = settings.at(-1)!.outChannels;
  blocks.push(convBnAct(lastIn, 6 * lastIn, 1, 'HS'));
  channels.push(6 * lastIn);
  return { features: new Sequential(...blocks), stageStarts, channels, outChannels: 6 * lastIn };
}

export class MobileNetV3 extends ConvClassifier {
  constructor(parts: ConstructorParameters<typeof ConvClassifier>[0], private readonly stageStarts: number[]) {
    super(parts);
  }

  /** One stage per resolution, so progressive unfreezing releases whole scales at a time. */
  override backboneStages(): string[][] {
    const stages = stagesByResolution(child(this, 'features', Sequential).length, this.stageStarts);
    stages.push(['classifier.0', 'classifier.1', 'classifier.2']);
    return stages;
  }
}

/** torchvision.models.mobilenet_v3_large (5,483,032 parameters with 1000 classes). */
export function mobilenetV3Large(opts: MobileNetV3Options = {}): MobileNetV3 {
  const who = 'mobilenet_v3_large';
  const n = checkPositiveInt(opts.numClasses ?? 1000, `${who}: numClasses`);
  const c = checkPositiveInt(opts.inChannels ?? 3, `${who}: inChannels`);
  const p = checkProbability(opts.dropout ?? 0.2, `${who}: dropout`);
  const { features, stageStarts, outChannels } = mobileNetV3LargeFeatures(c);
  const lastChannel = makeDivisible(1280);
  const classifier = new Sequential(new Linear(outChannels, lastChannel), new Hardswish(), new Dropout(p), new Linear(lastChannel, n));
  const model = new MobileNetV3({ features, classifier, avgpool: new AdaptiveAvgPool2d(1), headIndex: 3 }, stageStarts);
  torchvisionInit(model, { linear: 'normal' });
  return model;
}
