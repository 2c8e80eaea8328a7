// Weight initialisation, in place and without autograd, drawing from the global RNG so
// that manualSeed makes a model reproducible. Formulas and the order of random draws
// follow torch.nn.init, so a seeded visionlab layer starts from PyTorch's exact values.
import { Tensor, noGrad, ops } from '../torch/index.js';

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fan_in' | 'fan_out';

/** Fans of a weight laid out [out, in, ...kernel] (Linear, Conv2d). */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  const shape = t.shape;
  if (shape.length < 2) {
    throw new RangeError(`fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions (shape [${shape.join(', ')}])`);
  }
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

/** The recommended gain for a nonlinearity (param is leaky_relu's negative slope). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d':
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d': case 'sigmoid':
      return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu': return 3 / 4;
    default: throw new RangeError(`calculateGain: unsupported nonlinearity '${String(nonlinearity)}'`);
  }
}

function fan(t: Tensor, mode: FanMode): number {
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new RangeError(`mode must be 'fan_in' or 'fan_out', got '${String(mode)}'`);
  const f = calculateFanInAndFanOut(t);
  return mode === 'fan_in' ? f.fanIn : f.fanOut;
}

function inPlace(t: Tensor, fn: () => void): Tensor {
  noGrad(fn);
  return t;
}

export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  return inPlace(t, () => ops.uniform_(t, a, b));
}
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return inPlace(t, () => ops.normal_(t, mean, std));
}
export function constant_(t: Tensor, value: number): Tensor {
  return inPlace(t, () => ops.fill_$Scalar(t, value));
}
export function zeros_(t: Tensor): Tensor { return constant_(t, 0); }
export function ones_(t: Tensor): Tensor { return constant_(t, 1); }

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (only used with 'leaky_relu'). */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

/** He uniform: U(-b, b) with b = gain * sqrt(3 / fan). Defaults as PyTorch (a 0, fan_in, leaky_relu). */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const std = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0) / Math.sqrt(fan(t, opts.mode ?? 'fan_in'));
  const bound = Math.sqrt(3) * std;
  return uniform_(t, -bound, bound);
}

/** He normal: N(0, std²) with std = gain / sqrt(fan). */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const std = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0) / Math.sqrt(fan(t, opts.mode ?? 'fan_in'));
  return normal_(t, 0, std);
}

/** Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const a = Math.sqrt(3) * gain * Math.sqrt(2 / (fanIn + fanOut));
  return uniform_(t, -a, a);
}

/** Glorot normal: N(0, std²) with std = gain * sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/** Normal truncated to [a, b] by inverse-CDF sampling (torch.nn.init.trunc_normal_). */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  const cdf = (x: number): number => (1 + erf(x / Math.SQRT2)) / 2;
  const lo = cdf((a - mean) / std), hi = cdf((b - mean) / std);
  return inPlace(t, () => {
    ops.uniform_(t, 2 * lo - 1, 2 * hi - 1);
    ops.erfinv_(t);
    t.mul_(std * Math.SQRT2).add_(mean).clamp_(a, b);
  });
}

// Abramowitz–Stegun 7.1.26 is too coarse for the bounds; this series/continued-fraction
// pair is accurate to ~1e-15, which keeps the truncation bounds where PyTorch puts them.
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = ax, term = ax;
    for (let n = 1; n < 100; n++) {
      term *= -ax * ax / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction (Lentz), converges quickly for |x| >= 2.5.
  let f = ax, c = ax, d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = ax + an * d; d = 1 / d;
    c = ax + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * f);
  return Math.sign(x) * (1 - erfc);
}
