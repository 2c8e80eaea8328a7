// Convolutions over [N, C, H, W] images (a [C, H, W] image works too, as in PyTorch).
// Weights are laid out as PyTorch's so that state dicts load unchanged:
// Conv2d [out, in/groups, kh, kw], ConvTranspose2d [in, out/groups, kh, kw].
import { Tensor, empty, tidy } from '../../torch/index.js';
import { Module } from '../module.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';
import * as F from '../functional.js';

export interface Conv2dOptions {
  stride?: F.Pair;
  padding?: F.Pair | 'same' | 'valid';
  dilation?: F.Pair;
  groups?: number;
  bias?: boolean;
  paddingMode?: F.PaddingMode;
}

export interface ConvTranspose2dOptions {
  stride?: F.Pair;
  padding?: F.Pair;
  outputPadding?: F.Pair;
  groups?: number;
  bias?: boolean;
  dilation?: F.Pair;
}

/** PyTorch's default for every convolution: kaiming_uniform_(a=√5), bias U(±1/√fanIn). */
function resetConvParameters(weight: Tensor, bias: Tensor | null): void {
  tidy(() => {
    kaimingUniform_(weight, { a: Math.sqrt(5) });
    if (bias) {
      const { fanIn } = calculateFanInAndFanOut(weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(bias, -bound, bound);
    }
  });
}

function checkChannels(inChannels: number, outChannels: number, groups: number, who: string): void {
  F.checkPositiveInt(inChannels, `${who} inChannels`);
  F.checkPositiveInt(outChannels, `${who} outChannels`);
  F.checkPositiveInt(groups, `${who} groups`);
  if (inChannels % groups !== 0) throw new RangeError(`${who}: inChannels (${inChannels}) must be divisible by groups (${groups})`);
  if (outChannels % groups !== 0) throw new RangeError(`${who}: outChannels (${outChannels}) must be divisible by groups (${groups})`);
}

function checkInput(x: Tensor, inChannels: number, who: string): void {
  F.expectRank(x, [3, 4], who, `[N, ${inChannels}, H, W]`);
  if (x.shape[x.ndim - 3] !== inChannels) {
    throw new RangeError(`${who}: expected input [N, ${inChannels}, H, W], got shape ${F.shapeStr(x)} (${x.shape[x.ndim - 3]} channels)`);
  }
}

export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];
  readonly groups: number;
  readonly paddingMode: F.PaddingMode;

  constructor(inChannels: number, outChannels: number, kernelSize: F.Pair, opts: Conv2dOptions = {}) {
    super();
    const groups = opts.groups ?? 1;
    checkChannels(inChannels, outChannels, groups, 'Conv2d');
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.groups = groups;
    this.kernelSize = F.pair(kernelSize, 'Conv2d kernelSize', 1);
    this.stride = F.pair(opts.stride ?? 1, 'Conv2d stride', 1);
    this.dilation = F.pair(opts.dilation ?? 1, 'Conv2d dilation', 1);
    const padding = opts.padding ?? 0;
    if (padding === 'same' || padding === 'valid') {
      if (padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
        throw new RangeError(`Conv2d: padding 'same' is not supported for strided convolutions (stride [${this.stride}])`);
      }
      this.padding = padding;
    } else {
      this.padding = F.pair(padding, 'Conv2d padding');
    }
    this.paddingMode = opts.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(this.paddingMode)) {
      throw new RangeError(`Conv2d: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', got '${this.paddingMode}'`);
    }
    this.registerParameter('weight', empty([outChannels, inChannels / groups, ...this.kernelSize]));
    this.registerParameter('bias', (opts.bias ?? true) ? empty([outChannels]) : null);
    this.resetParameters();
  }

  get weight(): Tensor { return this.getParameter('weight')!; }
  get bias(): Tensor | null { return this.getParameter('bias') ?? null; }
  resetParameters(): void { resetConvParameters(this.weight, this.bias); }

  override forward(x: Tensor): Tensor {
    checkInput(x, this.inChannels, `Conv2d(${this.inChannels}, ${this.outChannels})`);
    return F.conv2d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups, paddingMode: this.paddingMode,
    });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}]`;
    if (typeof this.padding === 'string' || this.padding.some((p) => p !== 0)) s += `, padding=${typeof this.padding === 'string' ? `'${this.padding}'` : `[${this.padding}]`}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=[${this.dilation}]`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=false';
    if (this.paddingMode !== 'zeros') s += `, paddingMode='${this.paddingMode}'`;
    return s;
  }
}

export class ConvTranspose2d extends Module<[x: Tensor, outputSize?: number[]]> {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(inChannels: number, outChannels: number, kernelSize: F.Pair, opts: ConvTranspose2dOptions = {}) {
    super();
    const groups = opts.groups ?? 1;
    checkChannels(inChannels, outChannels, groups, 'ConvTranspose2d');
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.groups = groups;
    this.kernelSize = F.pair(kernelSize, 'ConvTranspose2d kernelSize', 1);
    this.stride = F.pair(opts.stride ?? 1, 'ConvTranspose2d stride', 1);
    this.padding = F.pair(opts.padding ?? 0, 'ConvTranspose2d padding');
    this.outputPadding = F.pair(opts.outputPadding ?? 0, 'ConvTranspose2d outputPadding');
    this.dilation = F.pair(opts.dilation ?? 1, 'ConvTranspose2d dilation', 1);
    for (let d = 0; d < 2; d++) {
      if (this.outputPadding[d]! >= Math.max(this.stride[d]!, this.dilation[d]!)) {
        throw new RangeError(`ConvTranspose2d: outputPadding [${this.outputPadding}] must be smaller than either stride [${this.stride}] or dilation [${this.dilation}]`);
      }
    }
    this.registerParameter('weight', empty([inChannels, outChannels / groups, ...this.kernelSize]));
    this.registerParameter('bias', (opts.bias ?? true) ? empty([outChannels]) : null);
    this.resetParameters();
  }

  get weight(): Tensor { return this.getParameter('weight')!; }
  get bias(): Tensor | null { return this.getParameter('bias') ?? null; }
  resetParameters(): void { resetConvParameters(this.weight, this.bias); }

  /**
   * outputSize ([H, W], or the full [N, C, H, W]) picks the output padding that gives
   * exactly that size, since several input sizes map to the same output of a strided conv.
   */
  override forward(x: Tensor, outputSize?: number[]): Tensor {
    checkInput(x, this.inChannels, `ConvTranspose2d(${this.inChannels}, ${this.outChannels})`);
    const outputPadding = outputSize === undefined ? this.outputPadding : this.outputPaddingFor(x, outputSize);
    return F.convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding, groups: this.groups, dilation: this.dilation,
    });
  }

  private outputPaddingFor(x: Tensor, outputSize: number[]): [number, number] {
    const size = outputSize.length > 2 ? outputSize.slice(-2) : outputSize;
    if (size.length !== 2 || (outputSize.length !== 2 && outputSize.length !== x.ndim)) {
      throw new RangeError(`ConvTranspose2d: outputSize must be [H, W] or match the input rank, got [${outputSize}]`);
    }
    const res: [number, number] = [0, 0];
    for (let d = 0; d < 2; d++) {
      const inSize = x.shape[x.ndim - 2 + d]!;
      const min = (inSize - 1) * this.stride[d]! - 2 * this.padding[d]! + this.dilation[d]! * (this.kernelSize[d]! - 1) + 1;
      const max = min + this.stride[d]! - 1;
      if (size[d]! < min || size[d]! > max) {
        throw new RangeError(`ConvTranspose2d: requested output size [${size}] is not reachable from input ${F.shapeStr(x)}; dimension ${d} must be in [${min}, ${max}]`);
      }
      res[d] = size[d]! - min;
    }
    return res;
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}]`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=[${this.padding}]`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, outputPadding=[${this.outputPadding}]`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=[${this.dilation}]`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=false';
    return s;
  }
}
