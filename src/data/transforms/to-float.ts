// uint8 pixels (0..255) to float32 in [0, 1], the input every model expects.
import { type Tensor } from '../../torch/index.js';
import { BaseTransform } from './transform.js';
import { toUnitFloat } from './pixels.js';

export function toFloat(x: Tensor): Tensor {
  const y = toUnitFloat(x);
  return y === x && x.dtype !== 'float32' ? x.float() : y;
}

export class ToFloat extends BaseTransform {
  readonly kind = 'photometric' as const;
  protected forward(x: Tensor): Tensor {
    return toFloat(x);
  }
}
