// The segmentation models of the zoo and multi-label heads, registered by name next to
// the classifiers (configs say `model: { name: deeplabv3plus-mobilenetv2, outputStride: 16 }`).
import { registerModel } from './registry.js';
import { deeplabV3PlusMobileNetV2, deeplabV3PlusResNet18, deeplabV3PlusResNet50 } from './deeplabv3plus.js';
import { deeplabV3ResNet50, fcnResNet50 } from './deeplabv3.js';
import { lrasppMobileNetV3Large } from './lraspp.js';
import { unet } from './unet.js';

registerModel({
  name: 'deeplabv3plus-mobilenetv2',
  description: 'DeepLabV3+ on an atrous MobileNetV2 (outputStride 16|8, asppRates, asppChannels, decoderChannels): per-pixel logits',
  defaultInput: [3, 64, 64], defaultClasses: 21, create: (o) => deeplabV3PlusMobileNetV2(o),
});
registerModel({
  name: 'deeplabv3plus-resnet18',
  description: 'DeepLabV3+ on an atrous ResNet-18 (torchvision names; outputStride 16|8, asppRates, asppChannels, decoderChannels): per-pixel logits',
  defaultInput: [3, 64, 64], defaultClasses: 21, create: (o) => deeplabV3PlusResNet18(o),
});
registerModel({
  name: 'deeplabv3plus-resnet50',
  description: 'DeepLabV3+ on an atrous ResNet-50 (torchvision names; outputStride 16|8, asppRates, asppChannels, decoderChannels): per-pixel logits',
  defaultInput: [3, 64, 64], defaultClasses: 21, create: (o) => deeplabV3PlusResNet50(o),
});
registerModel({
  name: 'deeplabv3_resnet50',
  description: 'torchvision DeepLabV3: dilated ResNet-50 (output stride 8) and DeepLabHead (ASPP 12/24/36); loads torchvision state dicts',
  defaultInput: [3, 520, 520], defaultClasses: 21, create: (o) => deeplabV3ResNet50(o),
});
registerModel({
  name: 'fcn_resnet50',
  description: 'torchvision FCN: dilated ResNet-50 (output stride 8) and FCNHead; loads torchvision state dicts',
  defaultInput: [3, 520, 520], defaultClasses: 21, create: (o) => fcnResNet50(o),
});
registerModel({
  name: 'lraspp_mobilenet_v3_large',
  description: 'torchvision LR-ASPP: dilated MobileNetV3-Large (output stride 16) and LRASPPHead on its stride-8 and last features; loads torchvision state dicts',
  defaultInput: [3, 520, 520], defaultClasses: 21, create: (o) => lrasppMobileNetV3Large(o),
});
registerModel({
  name: 'unet',
  description: 'U-Net: double 3×3 conv + batch norm blocks (baseChannels·2^i, depth downsamplings), transposed-conv or bilinear upsampling, skip concatenation: per-pixel logits',
  defaultInput: [3, 64, 64], defaultClasses: 21, create: (o) => unet(o),
});
