// DeepLabV3+ (Chen et al. 2018): an atrous backbone (MobileNetV2, ResNet-18 or ResNet-50;
// output stride 16 or 8), ASPP on its last features, and a decoder that upsamples them to stride 4, joins the backbone's
// low-level features (reduced to 48 channels) and refines with two 3×3 convolutions,
// before the per-pixel classifier and a bilinear upsampling to the input size.
import { type Tensor, cat } from '../torch/index.js';
import { Module, Sequential, Conv2d, functional as F } from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, child } from './options.js';
import { mobileNetV2Features } from './mobilenetv2.js';
import { ASPP, convBnReLU } from './aspp.js';
import { torchvisionInit } from './init.js';
import { SegmentationBackbone, type SegmentationFeatures } from './segmentation-backbone.js';
import { ResNetSegmentationBackbone } from './resnet-backbones.js';

export type DeepLabV3PlusBackbone = 'mobilenet_v2' | 'resnet18' | 'resnet50';
export const DEEPLABV3PLUS_BACKBONES: readonly DeepLabV3PlusBackbone[] = ['mobilenet_v2', 'resnet18', 'resnet50'];

export interface DeepLabV3PlusOptions extends ModelOptions {
  /** The feature extractor (default mobilenet_v2). */
  backbone?: DeepLabV3PlusBackbone;
  /** 16 (default) or 8: the backbone's stride at the ASPP. */
  outputStride?: number;
  /** ASPP dilation rates; default [6, 12, 18] at stride 16 and [12, 24, 36] at stride 8. */
  asppRates?: number[];
  /** Channels of the ASPP and the decoder (default 256, as in the paper). */
  asppChannels?: number;
  decoderChannels?: number;
  /** Backbone width multiplier (MobileNetV2). */
  widthMult?: number;
}

/** MobileNetV2's features as a DeepLab backbone: low-level after the stride-4 blocks, high after the 320-channel block. */
export class MobileNetV2Backbone extends SegmentationBackbone {
  readonly lowChannels: number;
  readonly highChannels: number;
  /** Index in `features` of the block whose output is the low-level features (the exporter reads it too). */
  readonly lowIndex: number;
  private readonly highIndex: number;

  constructor(inChannels: number, outputStride: number, width = 1) {
    super();
    const f = mobileNetV2Features(inChannels, width, outputStride);
    // The last 1×1 expansion to 1280 channels is the classifier's; DeepLab stops before it.
    this.highIndex = f.channels.length - 2;
    // The stride-8 stage starts at stageStarts[2]; the block before it ends at stride 4.
    this.lowIndex = f.stageStarts[2]! - 1;
    this.lowChannels = f.channels[this.lowIndex]!;
    this.highChannels = f.channels[this.highIndex]!;
    const kept = [...f.features].slice(0, this.highIndex + 1) as Module[];
    this.registerModule('features', new Sequential(...kept));
  }

  extract(x: Tensor): SegmentationFeatures {
    let h = x;
    let low: Tensor | undefined;
    [...child(this, 'features', Sequential)].forEach((m, i) => {
      h = (m as Module).call(h);
      if (i === this.lowIndex) low = h;
    });
    return { low: low!, high: h };
  }
}

export class DeepLabV3Plus extends Module {
  constructor(backbone: SegmentationBackbone, numClasses: number, rates: number[], asppChannels: number, decoderChannels: number) {
    super();
    this.registerModule('backbone', backbone);
    this.registerModule('aspp', new ASPP(backbone.highChannels, rates, asppChannels, 0.1));
    this.registerModule('reduce', convBnReLU(backbone.lowChannels, 48, 1));
    this.registerModule('decoder', new Sequential(
      ...convBnReLU(asppChannels + 48, decoderChannels, 3),
      ...convBnReLU(decoderChannels, decoderChannels, 3),
    ));
    this.registerModule('classifier', new Conv2d(decoderChannels, numClasses, 1));
  }

  override forward(x: Tensor): Tensor {
    const [h, w] = x.shape.slice(-2) as [number, number];
    const { low, high } = child(this, 'backbone', SegmentationBackbone).extract(x);
    const context = child(this, 'aspp', ASPP).call(high);
    const [lh, lw] = low.shape.slice(-2) as [number, number];
    const up = F.interpolate(context, { size: [lh, lw], mode: 'bilinear', alignCorners: false });
    const joined = cat([up, child(this, 'reduce', Sequential).call(low)], 1);
    const logits = child(this, 'classifier', Conv2d).call(child(this, 'decoder', Sequential).call(joined));
    return F.interpolate(logits, { size: [h, w], mode: 'bilinear', alignCorners: false });
  }
}

/** DeepLabV3+ on the named backbone; `who` names the model in errors. */
export function deeplabV3Plus(opts: DeepLabV3PlusOptions = {}, who = 'deeplabv3plus'): DeepLabV3Plus {
  const n = checkPositiveInt(opts.numClasses ?? 21, `${who}: numClasses`);
  const c = checkPositiveInt(opts.inChannels ?? 3, `${who}: inChannels`);
  const os = opts.outputStride ?? 16;
  if (os !== 8 && os !== 16) throw new RangeError(`${who}: outputStride must be 8 or 16, got ${os}`);
  const name = opts.backbone ?? 'mobilenet_v2';
  if (!DEEPLABV3PLUS_BACKBONES.includes(name)) throw new RangeError(`${who}: backbone must be one of ${DEEPLABV3PLUS_BACKBONES.join(', ')}, got '${String(name)}'`);
  if (opts.widthMult !== undefined && name !== 'mobilenet_v2') throw new RangeError(`${who}: widthMult applies to the mobilenet_v2 backbone only, not ${name}`);
  // Halving the stride doubles the ASPP's rates, so they span the same part of the image.
  const rates = opts.asppRates ?? (os === 16 ? [6, 12, 18] : [12, 24, 36]);
  const backbone = name === 'mobilenet_v2' ? new MobileNetV2Backbone(c, os, opts.widthMult ?? 1) : new ResNetSegmentationBackbone(name, c, os);
  const model = new DeepLabV3Plus(backbone, n, rates,
    checkPositiveInt(opts.asppChannels ?? 256, `${who}: asppChannels`), checkPositiveInt(opts.decoderChannels ?? 256, `${who}: decoderChannels`));
  torchvisionInit(model, { linear: 'default' });
  return model;
}

export function deeplabV3PlusMobileNetV2(opts: DeepLabV3PlusOptions = {}): DeepLabV3Plus {
  return deeplabV3Plus({ ...opts, backbone: 'mobilenet_v2' }, 'deeplabv3plus-mobilenetv2');
}

export function deeplabV3PlusResNet18(opts: DeepLabV3PlusOptions = {}): DeepLabV3Plus {
  return deeplabV3Plus({ ...opts, backbone: 'resnet18' }, 'deeplabv3plus-resnet18');
}

export function deeplabV3PlusResNet50(opts: DeepLabV3PlusOptions = {}): DeepLabV3Plus {
  return deeplabV3Plus({ ...opts, backbone: 'resnet50' }, 'deeplabv3plus-resnet50');
}
