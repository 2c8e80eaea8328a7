// ResNet-18 and ResNet-50 as atrous DeepLabV3+ backbones, with torchvision's module names
// (conv1, bn1, layer1.0.conv1, ...) so ImageNet weights load into them: for output stride
// 16 the last stage, for 8 the last two, replace their stride by dilation (torchvision's
// replace_stride_with_dilation). layer1 (stride 4) gives the decoder's low-level features.
import type { Tensor } from '../torch/index.js';
import { Module, Sequential, Conv2d, BatchNorm2d, ReLU, MaxPool2d } from '../nn/index.js';
import { child } from './options.js';
import { BasicBlock } from './resnet.js';
import { Bottleneck } from './deeplabv3.js';
import { SegmentationBackbone, type SegmentationFeatures } from './segmentation-backbone.js';

export type ResNetBackboneName = 'resnet18' | 'resnet50';

const LAYOUT = {
  resnet18: { block: BasicBlock, blocks: [2, 2, 2, 2] },
  resnet50: { block: Bottleneck, blocks: [3, 4, 6, 3] },
} as const;

export class ResNetSegmentationBackbone extends SegmentationBackbone {
  readonly lowChannels: number;
  readonly highChannels: number;

  constructor(readonly arch: ResNetBackboneName, inChannels: number, readonly outputStride: 8 | 16) {
    super();
    const layout = LAYOUT[arch];
    if (!layout) throw new RangeError(`ResNetSegmentationBackbone: backbone must be resnet18 or resnet50, got '${String(arch)}'`);
    if (outputStride !== 8 && outputStride !== 16) throw new RangeError(`ResNetSegmentationBackbone: outputStride must be 8 or 16, got ${String(outputStride)}`);
    const { block: Block, blocks } = layout;
    const dilate = outputStride === 16 ? [false, false, true] : [false, true, true];
    this.registerModule('conv1', new Conv2d(inChannels, 64, 7, { stride: 2, padding: 3, bias: false }));
    this.registerModule('bn1', new BatchNorm2d(64));
    this.registerModule('relu', new ReLU());
    this.registerModule('maxpool', new MaxPool2d(3, { stride: 2, padding: 1 }));
    let inPlanes = 64, dilation = 1;
    const stageOut: number[] = [];
    [64, 128, 256, 512].forEach((planes, i) => {
      let stride = i === 0 ? 1 : 2;
      // As torchvision: the stage's first block keeps the previous dilation, the rest take the new one.
      const previous = dilation;
      if (i > 0 && dilate[i - 1]) {
        dilation *= stride;
        stride = 1;
      }
      const stage: Module[] = [new Block(inPlanes, planes, stride, previous)];
      inPlanes = planes * Block.expansion;
      for (let b = 1; b < blocks[i]!; b++) stage.push(new Block(inPlanes, planes, 1, dilation));
      this.registerModule(`layer${i + 1}`, new Sequential(...stage));
      stageOut.push(inPlanes);
    });
    this.lowChannels = stageOut[0]!;
    this.highChannels = stageOut[3]!;
  }

  extract(x: Tensor): SegmentationFeatures {
    let h = x;
    for (const name of ['conv1', 'bn1', 'relu', 'maxpool']) h = child(this, name, Module).call(h) as Tensor;
    const low = child(this, 'layer1', Sequential).call(h);
    let high = low;
    for (const name of ['layer2', 'layer3', 'layer4']) high = child(this, name, Sequential).call(high);
    return { low, high };
  }
}
