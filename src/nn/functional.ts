// Stateless forms of the layers (PyTorch's torch.nn.functional): the layers hold weights
// and configuration, these do the arithmetic. Arguments are checked here so that a bad
// shape is reported in visionlab's terms before libtorch sees it.
import { Tensor, ops, autocastState } from '../torch/index.js';

export type Pair = number | [number, number];
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** [h, w] from a number or a pair; `what` names the argument in errors. */
export function pair(v: Pair, what: string, min = 0): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || p.some((x) => !Number.isInteger(x) || x < min)) {
    throw new RangeError(`${what} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return [p[0], p[1]];
}

/** Throws unless n is a positive integer; `what` names the argument. */
export function checkPositiveInt(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${what} must be a positive integer, got ${n}`);
}

export function shapeStr(t: Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

/** Throws unless x has one of the given ranks; `who` names the layer. */
export function expectRank(x: Tensor, ranks: number[], who: string, layout: string): void {
  if (!(x instanceof Tensor)) throw new TypeError(`${who}: expected a Tensor input, got ${typeof x}`);
  if (!ranks.includes(x.ndim)) throw new RangeError(`${who}: expected input ${layout}, got shape ${shapeStr(x)}`);
}

export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const inF = weight.shape[1]!;
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== inF) {
    throw new RangeError(`linear: expected input [..., ${inF}], got shape ${shapeStr(x)}`);
  }
  return ops.linear(x, weight, bias ?? null);
}

/**
 * Padding of a stride-1 convolution that keeps the spatial size, split like PyTorch:
 * the odd pixel, if any, goes to the bottom/right. Returns [top, bottom, left, right].
 */
export function samePadding(kernel: [number, number], dilation: [number, number]): [number, number, number, number] {
  const totalH = dilation[0] * (kernel[0] - 1), totalW = dilation[1] * (kernel[1] - 1);
  const top = Math.floor(totalH / 2), left = Math.floor(totalW / 2);
  return [top, totalH - top, left, totalW - left];
}

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
  paddingMode?: PaddingMode;
}

const PAD_MODE: Record<Exclude<PaddingMode, 'zeros'>, string> = { reflect: 'reflect', replicate: 'replicate', circular: 'circular' };

/** 2-D convolution with PyTorch's padding semantics ('same', 'valid', numbers, padding modes). */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: Conv2dOptions = {}): Tensor {
  const stride = pair(opts.stride ?? 1, 'conv2d stride', 1);
  const dilation = pair(opts.dilation ?? 1, 'conv2d dilation', 1);
  const groups = opts.groups ?? 1;
  const mode = opts.paddingMode ?? 'zeros';
  const kernel: [number, number] = [weight.shape[2]!, weight.shape[3]!];
  let pads: [number, number, number, number];
  if (opts.padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new RangeError(`conv2d: padding 'same' needs stride 1, got stride [${stride}]`);
    pads = samePadding(kernel, dilation);
  } else if (opts.padding === 'valid') {
    pads = [0, 0, 0, 0];
  } else {
    const [ph, pw] = pair(opts.padding ?? 0, 'conv2d padding');
    pads = [ph, ph, pw, pw];
  }
  const [top, bottom, left, right] = pads;
  let input = x;
  let convPad: [number, number] = [top, left];
  if (mode !== 'zeros') {
    if (!(mode in PAD_MODE)) throw new RangeError(`conv2d: paddingMode must be zeros, reflect, replicate or circular, got '${mode}'`);
    if (top + bottom + left + right > 0) input = ops.pad(x, [left, right, top, bottom], PAD_MODE[mode]);
    convPad = [0, 0];
  } else if (bottom !== top || right !== left) {
    // Asymmetric 'same' padding: pad the extra row/column first, as libtorch would
    // (doing it here avoids libtorch's warning about the copy).
    input = ops.constant_pad_nd(x, [0, right - left, 0, bottom - top], 0);
  }
  return ops.conv2d(input, weight, bias ?? null, stride, convPad, dilation, groups);
}

export interface ConvTranspose2dOptions {
  stride?: Pair;
  padding?: Pair;
  outputPadding?: Pair;
  groups?: number;
  dilation?: Pair;
}

export function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: ConvTranspose2dOptions = {}): Tensor {
  const stride = pair(opts.stride ?? 1, 'convTranspose2d stride', 1);
  const padding = pair(opts.padding ?? 0, 'convTranspose2d padding');
  const outputPadding = pair(opts.outputPadding ?? 0, 'convTranspose2d outputPadding');
  const dilation = pair(opts.dilation ?? 1, 'convTranspose2d dilation', 1);
  const groups = opts.groups ?? 1;
  const s = stride[0];
  // Under CPU autocast libtorch keeps this operator in float32 while a 1×1 convolution would run in bf16: left to libtorch there.
  if (x.device === 'cpu' && !autocastState('cpu').enabled && x.ndim === 4 && s > 1 && stride[1] === s && weight.shape[2] === s && weight.shape[3] === s &&
    padding[0] === 0 && padding[1] === 0 && dilation[0] === 1 && dilation[1] === 1 && groups === 1) {
    return patchUpsample(x, weight, bias ?? null, s, outputPadding);
  }
  return ops.conv_transpose2d$input(x, weight, bias ?? null, stride, padding, outputPadding, groups, dilation);
}

/**
 * A transposed convolution whose square kernel equals its stride (the 2×2, stride-2
 * upsampling of U-Nets) writes each input pixel's s×s patch without overlap, so it is
 * exactly a 1×1 convolution to outC·s·s channels followed by a pixel shuffle; output
 * padding adds rows and columns that only the bias reaches. libtorch's CPU transposed
 * convolution takes a slower unfolding path, where the 1×1 convolution runs in oneDNN:
 * the U-Net denoiser (widths 16/32/64/128, batches of 32, one thread) trains 13% faster.
 */
function patchUpsample(x: Tensor, weight: Tensor, bias: Tensor | null, s: number, outputPadding: [number, number]): Tensor {
  const [inC, outC] = [weight.shape[0]!, weight.shape[1]!];
  // [inC, outC, s, s] -> [outC·s·s, inC, 1, 1]: output channel c·s² + a·s + b is kernel tap (a, b) of c, pixel_shuffle's order.
  const w = weight.permute([1, 2, 3, 0]).reshape([outC * s * s, inC, 1, 1]);
  let y = ops.pixel_shuffle(ops.conv2d(x, w, null, [1, 1], [0, 0], [1, 1], 1), s);
  if (outputPadding[0] > 0 || outputPadding[1] > 0) y = ops.constant_pad_nd(y, [0, outputPadding[1], 0, outputPadding[0]], 0);
  return bias ? y.add(bias.view([1, outC, 1, 1])) : y;
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/** Batch normalisation over dim 1; in training, running statistics (if given) are updated in place. */
export function batchNorm(x: Tensor, opts: BatchNormOptions = {}): Tensor {
  const training = opts.training ?? false;
  if (training) {
    // libtorch divides by zero silently here; PyTorch's Python layer refuses, and so do we.
    const perChannel = x.numel() / (x.shape[1] ?? 1);
    if (perChannel <= 1) throw new RangeError(`batchNorm: expected more than 1 value per channel when training, got input shape ${shapeStr(x)}`);
  }
  return ops.batch_norm(x, opts.weight ?? null, opts.bias ?? null, opts.runningMean ?? null, opts.runningVar ?? null,
    training, opts.momentum ?? 0.1, opts.eps ?? 1e-5, true);
}

export interface MaxPool2dOptions { stride?: Pair; padding?: Pair; dilation?: Pair; ceilMode?: boolean }

export function maxPool2d(x: Tensor, kernelSize: Pair, opts: MaxPool2dOptions = {}): Tensor {
  const k = pair(kernelSize, 'maxPool2d kernelSize', 1);
  return ops.max_pool2d(x, k, pair(opts.stride ?? k, 'maxPool2d stride', 1), pair(opts.padding ?? 0, 'maxPool2d padding'),
    pair(opts.dilation ?? 1, 'maxPool2d dilation', 1), opts.ceilMode ?? false);
}

export interface AvgPool2dOptions { stride?: Pair; padding?: Pair; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number }

export function avgPool2d(x: Tensor, kernelSize: Pair, opts: AvgPool2dOptions = {}): Tensor {
  const k = pair(kernelSize, 'avgPool2d kernelSize', 1);
  return ops.avg_pool2d(x, k, pair(opts.stride ?? k, 'avgPool2d stride', 1), pair(opts.padding ?? 0, 'avgPool2d padding'),
    opts.ceilMode ?? false, opts.countIncludePad ?? true, opts.divisorOverride ?? null);
}

/** A null side keeps the input's size on that side, like PyTorch's None. */
export type AdaptiveSize = number | [number | null, number | null];

export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  expectRank(x, [3, 4], 'adaptiveAvgPool2d', '[N, C, H, W] or [C, H, W]');
  const [h, w] = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  const size = [h ?? x.shape[x.ndim - 2]!, w ?? x.shape[x.ndim - 1]!];
  if (size.some((s) => !Number.isInteger(s) || s < 1)) throw new RangeError(`adaptiveAvgPool2d: outputSize must be positive integers, got ${JSON.stringify(outputSize)}`);
  return ops.adaptive_avg_pool2d(x, size);
}

export function checkProbability(p: number, who: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${who}: p must be in [0, 1], got ${p}`);
}

export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  checkProbability(p, 'dropout');
  return ops.dropout(x, p, training);
}

/** Zeroes whole channels (dim 1) with probability p. */
export function dropout2d(x: Tensor, p = 0.5, training = true): Tensor {
  checkProbability(p, 'dropout2d');
  expectRank(x, [3, 4], 'dropout2d', '[N, C, H, W] or [C, H, W]');
  return ops.feature_dropout(x, p, training);
}

export interface InterpolateOptions {
  size?: Pair;
  scaleFactor?: number | [number, number];
  mode?: 'nearest' | 'bilinear';
  alignCorners?: boolean;
}

/** Resizes [N, C, H, W] images to a size or by a scale factor (PyTorch's F.interpolate). */
export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  expectRank(x, [4], 'interpolate', '[N, C, H, W]');
  const mode = opts.mode ?? 'nearest';
  if ((opts.size === undefined) === (opts.scaleFactor === undefined)) {
    throw new RangeError('interpolate: give exactly one of size and scaleFactor');
  }
  if (mode === 'nearest' && opts.alignCorners !== undefined) {
    throw new RangeError("interpolate: alignCorners only applies to mode 'bilinear'");
  }
  const size = opts.size === undefined ? null : pair(opts.size, 'interpolate size', 1);
  let scales: number[] | null = null;
  if (opts.scaleFactor !== undefined) {
    const s = typeof opts.scaleFactor === 'number' ? [opts.scaleFactor, opts.scaleFactor] : opts.scaleFactor;
    if (s.length !== 2 || s.some((v) => !(v > 0))) throw new RangeError(`interpolate: scaleFactor must be positive, got ${JSON.stringify(opts.scaleFactor)}`);
    scales = [...s];
  }
  if (mode === 'nearest') return ops.upsample_nearest2d$vec(x, size, scales);
  if (mode === 'bilinear') return ops.upsample_bilinear2d$vec(x, size, opts.alignCorners ?? false, scales);
  throw new RangeError(`interpolate: mode must be 'nearest' or 'bilinear', got '${String(mode)}'`);
}

export function relu(x: Tensor): Tensor { return ops.relu(x); }
/**
 * min(max(x, 0), 6). libtorch 1.13's hardtanh has no bfloat16 backward on CPU, so a bf16
 * input (under bf16-mixed autocast) is clamped instead: the same values, and gradients
 * that differ only at exactly 0 and 6.
 */
export function relu6(x: Tensor): Tensor { return x.dtype === 'bfloat16' ? ops.clamp(x, 0, 6) : ops.hardtanh(x, 0, 6); }
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor { return ops.leaky_relu(x, negativeSlope); }
export function sigmoid(x: Tensor): Tensor { return ops.sigmoid(x); }
export function tanh(x: Tensor): Tensor { return ops.tanh(x); }
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor { return ops.gelu(x, { approximate }); }
export function hardswish(x: Tensor): Tensor { return ops.hardswish(x); }
export function hardsigmoid(x: Tensor): Tensor { return ops.hardsigmoid(x); }
export function softmax(x: Tensor, dim: number): Tensor { return ops.softmax$int(x, dim); }
export function logSoftmax(x: Tensor, dim: number): Tensor { return ops.log_softmax$int(x, dim); }
export function flatten(x: Tensor, startDim = 1, endDim = -1): Tensor { return ops.flatten$using_ints(x, startDim, endDim); }
