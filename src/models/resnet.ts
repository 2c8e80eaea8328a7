// ResNet-18/34 with torchvision's module structure and parameter names (conv1, bn1,
// layer1.0.conv1, layer1.0.downsample.0, fc, ...), so torchvision state dicts load
// unchanged. The 'cifar' stem (3×3 stride-1 conv, no max-pool) suits 32 px inputs; it
// keeps the same names, with maxpool an Identity.
import { Tensor } from '../torch/index.js';
import { Module, Sequential, Conv2d, BatchNorm2d, ReLU, MaxPool2d, Identity, AdaptiveAvgPool2d, Linear } from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, child } from './options.js';
import { torchvisionInit } from './init.js';
import type { TransferLayout } from './transfer-layout.js';

export type ResNetStem = 'imagenet' | 'cifar';

export interface ResNetOptions extends ModelOptions {
  stem?: ResNetStem;
}

/** Two 3×3 convolutions with an identity (or 1×1 projection) shortcut. */
export class BasicBlock extends Module {
  static readonly expansion = 1;

  /** `dilation` > 1 serves atrous backbones (DeepLabV3+), which torchvision's BasicBlock refuses; the weights keep their shapes. */
  constructor(inPlanes: number, planes: number, stride = 1, dilation = 1) {
    super();
    this.registerModule('conv1', new Conv2d(inPlanes, planes, 3, { stride, padding: dilation, dilation, bias: false }));
    this.registerModule('bn1', new BatchNorm2d(planes));
    this.registerModule('relu', new ReLU());
    this.registerModule('conv2', new Conv2d(planes, planes, 3, { padding: dilation, dilation, bias: false }));
    this.registerModule('bn2', new BatchNorm2d(planes));
    if (stride !== 1 || inPlanes !== planes) {
      this.registerModule('downsample', new Sequential(
        new Conv2d(inPlanes, planes, 1, { stride, bias: false }),
        new BatchNorm2d(planes),
      ));
    }
  }

  override forward(x: Tensor): Tensor {
    const relu = child(this, 'relu', ReLU);
    let out = relu.call(child(this, 'bn1', BatchNorm2d).call(child(this, 'conv1', Conv2d).call(x)));
    out = child(this, 'bn2', BatchNorm2d).call(child(this, 'conv2', Conv2d).call(out));
    const downsample = this.getModule('downsample', Sequential);
    const identity = downsample ? downsample.call(x) : x;
    return relu.call(out.add(identity));
  }
}

export class ResNet extends Module implements TransferLayout {
  readonly headPath = 'fc';

  constructor(readonly blocksPerStage: readonly number[], numClasses: number, readonly inChannels = 3, readonly stem: ResNetStem = 'imagenet') {
    super();
    if (blocksPerStage.length !== 4) throw new RangeError(`ResNet: expected 4 stages, got ${blocksPerStage.length}`);
    if (stem === 'imagenet') {
      this.registerModule('conv1', new Conv2d(inChannels, 64, 7, { stride: 2, padding: 3, bias: false }));
    } else if (stem === 'cifar') {
      this.registerModule('conv1', new Conv2d(inChannels, 64, 3, { stride: 1, padding: 1, bias: false }));
    } else {
      throw new RangeError(`ResNet: stem must be 'imagenet' or 'cifar', got '${String(stem)}'`);
    }
    this.registerModule('bn1', new BatchNorm2d(64));
    this.registerModule('relu', new ReLU());
    this.registerModule('maxpool', stem === 'imagenet' ? new MaxPool2d(3, { stride: 2, padding: 1 }) : new Identity());
    let inPlanes = 64;
    const widths = [64, 128, 256, 512];
    blocksPerStage.forEach((count, i) => {
      const planes = widths[i]!;
      const blocks: Module[] = [];
      for (let b = 0; b < count; b++) {
        blocks.push(new BasicBlock(inPlanes, planes, b === 0 && i > 0 ? 2 : 1));
        inPlanes = planes;
      }
      this.registerModule(`layer${i + 1}`, new Sequential(...blocks));
    });
    this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.registerModule('fc', new Linear(512 * BasicBlock.expansion, numClasses));
    torchvisionInit(this, { linear: 'default' });
  }

  /** Width of the current head (follows replaceHead). */
  get numClasses(): number { return child(this, 'fc', Linear).outFeatures; }

  /** The last stage's feature maps [N, 512, h, w] (before pooling), for CAM-style explanations. */
  featureMaps(x: Tensor): Tensor {
    let h = x;
    for (const name of ['conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4']) h = child(this, name, Module).call(h);
    return h;
  }

  override forward(x: Tensor): Tensor {
    const pooled = child(this, 'avgpool', AdaptiveAvgPool2d).call(this.featureMaps(x));
    return child(this, 'fc', Linear).call(pooled.flatten(1));
  }

  backboneStages(): string[][] {
    return [['conv1', 'bn1'], ['layer1'], ['layer2'], ['layer3'], ['layer4']];
  }
}

function resnetFactory(blocks: number[], name: string) {
  return (opts: ResNetOptions = {}): ResNet => {
    const n = checkPositiveInt(opts.numClasses ?? 1000, `${name}: numClasses`);
    const c = checkPositiveInt(opts.inChannels ?? 3, `${name}: inChannels`);
    return new ResNet(blocks, n, c, opts.stem ?? 'imagenet');
  };
}

/** torchvision.models.resnet18 (11,689,512 parameters with 1000 classes). */
export const resnet18 = resnetFactory([2, 2, 2, 2], 'resnet18');
/** torchvision.models.resnet34. */
export const resnet34 = resnetFactory([3, 4, 6, 3], 'resnet34');
