// torchvision's weight initialisation for its classification models, applied after
// construction so that freshly built zoo models start like torchvision's.
import { Module, Conv2d, BatchNorm2d, BatchNorm1d, Linear, kaimingNormal_, normal_, zeros_, ones_ } from '../nn/index.js';

export interface TorchvisionInitOptions {
  /** Linear layers: 'normal' draws N(0, 0.01²) (VGG, MobileNetV2); 'default' keeps PyTorch's layer default (ResNet). */
  linear: 'normal' | 'default';
}

/** Conv kernels: He normal with fan_out (ReLU gain), biases zero; batch-norm scales one and shifts zero. */
export function torchvisionInit(model: Module, opts: TorchvisionInitOptions): void {
  for (const m of model.modules()) {
    if (m instanceof Conv2d) {
      kaimingNormal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
      if (m.bias) zeros_(m.bias);
    } else if (m instanceof BatchNorm2d || m instanceof BatchNorm1d) {
      if (m.weight) ones_(m.weight);
      if (m.bias) zeros_(m.bias);
    } else if (m instanceof Linear && opts.linear === 'normal') {
      normal_(m.weight, 0, 0.01);
      if (m.bias) zeros_(m.bias);
    }
  }
}
