// torchvision's lraspp_mobilenet_v3_large with its module names (backbone.13.block.2.fc1,
// classifier.cbr.0, classifier.high_classifier, ...), so its state dicts load unchanged:
// the dilated MobileNetV3-Large features (output stride 16) feeding the Lite R-ASPP head
// with the stride-8 features of index 4, and a bilinear upsampling to the input size.
import type { Tensor } from '../torch/index.js';
import { Module, Sequential, Conv2d, BatchNorm2d, ReLU, Sigmoid, AdaptiveAvgPool2d, functional as F } from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, child } from './options.js';
import { SegmentationBackbone, type SegmentationFeatures } from './segmentation-backbone.js';
import { mobileNetV3LargeFeatures } from './mobilenetv3.js';
import { torchvisionInit } from './init.js';

/**
 * MobileNetV3-Large's features as torchvision's IntermediateLayerGetter keeps them:
 * children '0'…'16', 'low' after the block that starts stride 8 (index 4, 40 channels) and
 * 'high' after the last 1×1 conv (960 channels).
 */
export class MobileNetV3LargeBackbone extends SegmentationBackbone {
  readonly lowChannels: number;
  readonly highChannels: number;
  readonly lowIndex: number;
  readonly highIndex: number;

  constructor(inChannels = 3) {
    super();
    const { features, stageStarts, channels } = mobileNetV3LargeFeatures(inChannels, true);
    // torchvision: stage_indices = [0, the _is_cn blocks..., last]; low = stage_indices[-4].
    const stages = [...stageStarts, channels.length - 1];
    this.lowIndex = stages.at(-4)!;
    this.highIndex = channels.length - 1;
    this.lowChannels = channels[this.lowIndex]!;
    this.highChannels = channels[this.highIndex]!;
    for (const [name, m] of features.namedChildren()) this.registerModule(name, m);
  }

  extract(x: Tensor): SegmentationFeatures {
    let h = x;
    let low: Tensor | undefined;
    for (let i = 0; i <= this.highIndex; i++) {
      h = child(this, String(i), Module).call(h) as Tensor;
      if (i === this.lowIndex) low = h;
    }
    return { low: low!, high: h };
  }
}

/** torchvision's LRASPPHead: a 1×1 conv branch gated by a global-pooled sigmoid, upsampled onto the low features. */
export class LRASPPHead extends Module {
  constructor(lowChannels: number, highChannels: number, numClasses: number, interChannels = 128) {
    super();
    this.registerModule('cbr', new Sequential(new Conv2d(highChannels, interChannels, 1, { bias: false }), new BatchNorm2d(interChannels), new ReLU()));
    this.registerModule('scale', new Sequential(new AdaptiveAvgPool2d(1), new Conv2d(highChannels, interChannels, 1, { bias: false }), new Sigmoid()));
    this.registerModule('low_classifier', new Conv2d(lowChannels, numClasses, 1));
    this.registerModule('high_classifier', new Conv2d(interChannels, numClasses, 1));
  }

  /** Logits at the low features' resolution. */
  head(features: SegmentationFeatures): Tensor {
    const { low, high } = features;
    let x = child(this, 'cbr', Sequential).call(high).mul(child(this, 'scale', Sequential).call(high));
    x = F.interpolate(x, { size: low.shape.slice(-2) as [number, number], mode: 'bilinear', alignCorners: false });
    return child(this, 'low_classifier', Conv2d).call(low).add(child(this, 'high_classifier', Conv2d).call(x));
  }

  override forward(_x: Tensor): Tensor {
    throw new Error('LRASPPHead takes low and high features: call head({ low, high })');
  }
}

export class LRASPP extends Module {
  constructor(backbone: SegmentationBackbone, classifier: LRASPPHead) {
    super();
    this.registerModule('backbone', backbone);
    this.registerModule('classifier', classifier);
  }

  override forward(x: Tensor): Tensor {
    const [h, w] = x.shape.slice(-2) as [number, number];
    const backbone = child(this, 'backbone', SegmentationBackbone);
    const logits = child(this, 'classifier', LRASPPHead).head(backbone.extract(x));
    return F.interpolate(logits, { size: [h, w], mode: 'bilinear', alignCorners: false });
  }
}

/** torchvision.models.segmentation.lraspp_mobilenet_v3_large, 21 classes by default. */
export function lrasppMobileNetV3Large(opts: ModelOptions = {}): LRASPP {
  const n = checkPositiveInt(opts.numClasses ?? 21, 'lraspp_mobilenet_v3_large: numClasses');
  const c = checkPositiveInt(opts.inChannels ?? 3, 'lraspp_mobilenet_v3_large: inChannels');
  const backbone = new MobileNetV3LargeBackbone(c);
  // torchvision initialises the backbone as MobileNetV3 does; the head keeps PyTorch's layer defaults.
  torchvisionInit(backbone, { linear: 'normal' });
  return new LRASPP(backbone, new LRASPPHead(backbone.lowChannels, backbone.highChannels, n));
}
