// Dtype and size helpers shared by the transforms. Resampling needs float tensors, while
// datasets store uint8; geometric transforms therefore keep the input's dtype (resample
// in float on the 0..255 scale, round back), and photometric ones work on [0, 1].
import { type Tensor } from '../../torch/index.js';

export type Size2 = number | readonly [number, number];

/** [height, width] from a number (square) or a pair, validated. */
export function toSize(size: Size2, who: string): [number, number] {
  const hw: [number, number] = typeof size === 'number' ? [size, size] : [size[0], size[1]];
  if (!hw.every((v) => Number.isInteger(v) && v > 0)) throw new RangeError(`${who}: size must be a positive integer or [height, width], got ${JSON.stringify(size)}`);
  return hw;
}

export function isFloatImage(x: Tensor): boolean {
  return x.dtype.startsWith('float') || x.dtype === 'bfloat16';
}

/** Runs a float-only computation on x and returns a tensor of x's dtype (rounded and clamped for integers). */
export function inFloat(x: Tensor, fn: (xf: Tensor) => Tensor): Tensor {
  if (isFloatImage(x)) return fn(x);
  const y = fn(x.float());
  return y.round().clamp(0, x.dtype === 'uint8' ? 255 : null).to(x.dtype);
}

/** uint8 images become float32 in [0, 1]; float images are returned as they are. */
export function toUnitFloat(x: Tensor): Tensor {
  if (isFloatImage(x)) return x;
  if (x.dtype !== 'uint8') throw new Error(`expected uint8 or float images, got ${x.dtype}`);
  return x.float().div(255);
}

/** Runs a computation on [0, 1] floats and converts back to uint8 if the input was uint8. */
export function inUnitFloat(x: Tensor, fn: (xf: Tensor) => Tensor): Tensor {
  if (isFloatImage(x)) return fn(x);
  return fn(toUnitFloat(x)).mul(255).round().clamp(0, 255).to('uint8');
}

export function heightWidth(x: Tensor): [number, number] {
  const s = x.shape;
  return [s[s.length - 2]!, s[s.length - 1]!];
}

/** Runs a float-only resampling on label masks and converts back exactly (labels are small integers). */
export function inFloatMask(m: Tensor, fn: (mf: Tensor) => Tensor): Tensor {
  if (isFloatImage(m)) return fn(m);
  return fn(m.float()).round().to(m.dtype);
}
