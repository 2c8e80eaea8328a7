// Spatial pooling over [N, C, H, W] (or [C, H, W]) inputs.
import { Tensor } from '../../torch/index.js';
import { Module } from '../module.js';
import * as F from '../functional.js';

export interface MaxPool2dOptions { stride?: F.Pair; padding?: F.Pair; dilation?: F.Pair; ceilMode?: boolean }

export class MaxPool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly ceilMode: boolean;

  constructor(kernelSize: F.Pair, opts: MaxPool2dOptions = {}) {
    super();
    this.kernelSize = F.pair(kernelSize, 'MaxPool2d kernelSize', 1);
    this.stride = F.pair(opts.stride ?? this.kernelSize, 'MaxPool2d stride', 1);
    this.padding = F.pair(opts.padding ?? 0, 'MaxPool2d padding');
    this.dilation = F.pair(opts.dilation ?? 1, 'MaxPool2d dilation', 1);
    this.ceilMode = opts.ceilMode ?? false;
    checkHalfKernel(this.padding, this.kernelSize, 'MaxPool2d');
  }

  override forward(x: Tensor): Tensor {
    F.expectRank(x, [3, 4], 'MaxPool2d', '[N, C, H, W] or [C, H, W]');
    return F.maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }

  override extraRepr(): string {
    return `kernelSize=[${this.kernelSize}], stride=[${this.stride}], padding=[${this.padding}], dilation=[${this.dilation}], ceilMode=${this.ceilMode}`;
  }
}

export interface AvgPool2dOptions {
  stride?: F.Pair;
  padding?: F.Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number;
}

export class AvgPool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | undefined;

  constructor(kernelSize: F.Pair, opts: AvgPool2dOptions = {}) {
    super();
    this.kernelSize = F.pair(kernelSize, 'AvgPool2d kernelSize', 1);
    this.stride = F.pair(opts.stride ?? this.kernelSize, 'AvgPool2d stride', 1);
    this.padding = F.pair(opts.padding ?? 0, 'AvgPool2d padding');
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride;
    if (this.divisorOverride !== undefined) F.checkPositiveInt(this.divisorOverride, 'AvgPool2d divisorOverride');
    checkHalfKernel(this.padding, this.kernelSize, 'AvgPool2d');
  }

  override forward(x: Tensor): Tensor {
    F.expectRank(x, [3, 4], 'AvgPool2d', '[N, C, H, W] or [C, H, W]');
    return F.avgPool2d(x, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernelSize=[${this.kernelSize}], stride=[${this.stride}], padding=[${this.padding}], ceilMode=${this.ceilMode}, countIncludePad=${this.countIncludePad}`;
  }
}

/** Pools to a fixed output size whatever the input size (e.g. 1 for global average pooling). */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: F.AdaptiveSize;

  constructor(outputSize: F.AdaptiveSize) {
    super();
    const sides = typeof outputSize === 'number' ? [outputSize] : outputSize;
    if (!Array.isArray(sides) || (typeof outputSize !== 'number' && sides.length !== 2) ||
        sides.some((s) => s !== null && (!Number.isInteger(s) || s < 1))) {
      throw new RangeError(`AdaptiveAvgPool2d: outputSize must be a positive integer or a pair (null keeps that side), got ${JSON.stringify(outputSize)}`);
    }
    this.outputSize = outputSize;
  }

  override forward(x: Tensor): Tensor { return F.adaptiveAvgPool2d(x, this.outputSize); }
  override extraRepr(): string { return `outputSize=${JSON.stringify(this.outputSize)}`; }
}

// libtorch rejects this too, but only when called; failing at construction names the layer.
function checkHalfKernel(padding: [number, number], kernel: [number, number], who: string): void {
  if (padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2) {
    throw new RangeError(`${who}: padding [${padding}] must be at most half the kernel size [${kernel}]`);
  }
}
