// torchvision's deeplabv3_resnet50 and fcn_resnet50 with their module names (backbone.layer4.2.conv3,
// classifier.0.convs.1.0, classifier.4, ...), so its state dicts load unchanged: a
// ResNet-50 whose last two stages dilate instead of striding (output stride 8), DeepLabHead
// (ASPP rates 12/24/36, 3×3 conv, batch norm, ReLU, 1×1 classifier) and a bilinear
// upsampling to the input size.
import { type Tensor } from '../torch/index.js';
import { Module, Sequential, Conv2d, BatchNorm2d, ReLU, MaxPool2d, Dropout, functional as F } from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, child } from './options.js';
import { ASPP } from './aspp.js';
import { torchvisionInit } from './init.js';

/** 1×1 → 3×3 (stride, dilation) → 1×1 ×4 expansion, with a projection shortcut where shapes change. */
export class Bottleneck extends Module {
  static readonly expansion = 4;

  constructor(inPlanes: number, planes: number, stride = 1, dilation = 1) {
    super();
    const out = planes * Bottleneck.expansion;
    this.registerModule('conv1', new Conv2d(inPlanes, planes, 1, { bias: false }));
    this.registerModule('bn1', new BatchNorm2d(planes));
    this.registerModule('conv2', new Conv2d(planes, planes, 3, { stride, padding: dilation, dilation, bias: false }));
    this.registerModule('bn2', new BatchNorm2d(planes));
    this.registerModule('conv3', new Conv2d(planes, out, 1, { bias: false }));
    this.registerModule('bn3', new BatchNorm2d(out));
    this.registerModule('relu', new ReLU());
    if (stride !== 1 || inPlanes !== out) {
      this.registerModule('downsample', new Sequential(new Conv2d(inPlanes, out, 1, { stride, bias: false }), new BatchNorm2d(out)));
    }
  }

  override forward(x: Tensor): Tensor {
    const relu = child(this, 'relu', ReLU);
    let y = relu.call(child(this, 'bn1', BatchNorm2d).call(child(this, 'conv1', Conv2d).call(x)));
    y = relu.call(child(this, 'bn2', BatchNorm2d).call(child(this, 'conv2', Conv2d).call(y)));
    y = child(this, 'bn3', BatchNorm2d).call(child(this, 'conv3', Conv2d).call(y));
    const down = this.getModule('downsample', Sequential);
    return relu.call(y.add(down ? down.call(x) : x));
  }
}

/** ResNet-50 up to layer4, as torchvision's IntermediateLayerGetter keeps it; `dilate` per stage 2-4 (replace_stride_with_dilation). */
export class ResNet50Backbone extends Module {
  constructor(inChannels = 3, dilate: readonly [boolean, boolean, boolean] = [false, true, true]) {
    super();
    this.registerModule('conv1', new Conv2d(inChannels, 64, 7, { stride: 2, padding: 3, bias: false }));
    this.registerModule('bn1', new BatchNorm2d(64));
    this.registerModule('relu', new ReLU());
    this.registerModule('maxpool', new MaxPool2d(3, { stride: 2, padding: 1 }));
    let inPlanes = 64, dilation = 1;
    ([[64, 3, 1], [128, 4, 2], [256, 6, 2], [512, 3, 2]] as const).forEach(([planes, count, s], i) => {
      let stride: number = s;
      const previous = dilation;
      if (i > 0 && dilate[i - 1]) {
        dilation *= stride;
        stride = 1;
      }
      const blocks: Module[] = [new Bottleneck(inPlanes, planes, stride, previous)];
      inPlanes = planes * Bottleneck.expansion;
      for (let b = 1; b < count; b++) blocks.push(new Bottleneck(inPlanes, planes, 1, dilation));
      this.registerModule(`layer${i + 1}`, new Sequential(...blocks));
    });
  }

  override forward(x: Tensor): Tensor {
    let h = x;
    for (const name of ['conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4']) h = child(this, name, Module).call(h) as Tensor;
    return h;
  }
}

/** torchvision's DeepLabHead: ASPP, 3×3 conv, batch norm, ReLU, 1×1 conv to the classes (children 0-4). */
export function deepLabHead(inChannels: number, numClasses: number, rates: readonly number[] = [12, 24, 36]): Sequential {
  return new Sequential(
    new ASPP(inChannels, rates, 256, 0.5),
    new Conv2d(256, 256, 3, { padding: 1, bias: false }),
    new BatchNorm2d(256),
    new ReLU(),
    new Conv2d(256, numClasses, 1),
  );
}

export class DeepLabV3 extends Module {
  constructor(backbone: Module, classifier: Module) {
    super();
    this.registerModule('backbone', backbone);
    this.registerModule('classifier', classifier);
  }

  override forward(x: Tensor): Tensor {
    const [h, w] = x.shape.slice(-2) as [number, number];
    const logits = child(this, 'classifier', Module).call(child(this, 'backbone', Module).call(x)) as Tensor;
    return F.interpolate(logits, { size: [h, w], mode: 'bilinear', alignCorners: false });
  }
}

/** torchvision.models.segmentation.deeplabv3_resnet50 (no auxiliary head), 21 classes by default. */
export function deeplabV3ResNet50(opts: ModelOptions & { asppRates?: number[] } = {}): DeepLabV3 {
  const n = checkPositiveInt(opts.numClasses ?? 21, 'deeplabv3_resnet50: numClasses');
  const c = checkPositiveInt(opts.inChannels ?? 3, 'deeplabv3_resnet50: inChannels');
  const model = new DeepLabV3(new ResNet50Backbone(c), deepLabHead(2048, n, opts.asppRates ?? [12, 24, 36]));
  torchvisionInit(model, { linear: 'default' });
  return model;
}

/** torchvision's FCNHead: 3×3 conv to a quarter of the channels, batch norm, ReLU, dropout 0.1, 1×1 classifier. */
export function fcnHead(inChannels: number, numClasses: number): Sequential {
  const mid = inChannels / 4;
  return new Sequential(
    new Conv2d(inChannels, mid, 3, { padding: 1, bias: false }),
    new BatchNorm2d(mid),
    new ReLU(),
    new Dropout(0.1),
    new Conv2d(mid, numClasses, 1),
  );
}

/** torchvision.models.segmentation.fcn_resnet50 (no auxiliary head): the same dilated ResNet-50 with FCNHead. */
export function fcnResNet50(opts: ModelOptions = {}): DeepLabV3 {
  const n = checkPositiveInt(opts.numClasses ?? 21, 'fcn_resnet50: numClasses');
  const c = checkPositiveInt(opts.inChannels ?? 3, 'fcn_resnet50: inChannels');
  const model = new DeepLabV3(new ResNet50Backbone(c), fcnHead(2048, n));
  torchvisionInit(model, { linear: 'default' });
  return model;
}
