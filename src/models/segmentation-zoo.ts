// The segmentation models of the zoo and multi-label heads, registered by name next to
// the classifiers (configs say `model: { name: deeplabv3plus-mobilenetv2, outputStride: 16 }`).
import { registerModel } from './registry.js';
import { deeplabV3PlusMobileNetV2 } from './deeplabv3plus.js';

registerModel({
  name: 'deeplabv3plus-mobilenetv2',
  description: 'DeepLabV3+ on an atrous MobileNetV2 (outputStride 16|8, asppRates, asppChannels, decoderChannels): per-pixel logits',
  defaultInput: [3, 64, 64], defaultClasses: 21, create: (o) => deeplabV3PlusMobileNetV2(o),
});
