// U-Net (Ronneberger et al. 2015) for segmentation, small and configurable: `depth`
// downsamplings of double 3×3 conv + batch norm + ReLU blocks (widths baseChannels·2^i),
// a decoder that upsamples to the exact size of the matching encoder level (so inputs need
// not be multiples of 2^depth) and concatenates its features, and a 1×1 per-pixel head.
import type { Tensor } from '../torch/index.js';
import { Module, Sequential, ModuleList, Conv2d, ConvTranspose2d, MaxPool2d, functional as F } from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, child } from './options.js';
import { torchvisionInit } from './init.js';
import { doubleConv, encodeDecode } from './unet-parts.js';

export type UNetUpsampling = 'transposed' | 'bilinear';

export interface UNetOptions extends ModelOptions {
  /** Channels of the top level; each level down doubles them (default 16). */
  baseChannels?: number;
  /** Number of 2×2 max-pool downsamplings (default 4). */
  depth?: number;
  /** 'transposed' (default): learnt 2×2 transposed convolutions; 'bilinear': resize then a 1×1 conv. */
  upsampling?: UNetUpsampling;
}

/** Bilinear resize to a given size, then a 1×1 conv that halves the channels as a transposed conv would. */
export class BilinearUp extends Module<[x: Tensor, outputSize?: number[]]> {
  constructor(inCh: number, outCh: number) {
    super();
    this.registerModule('conv', new Conv2d(inCh, outCh, 1));
  }

  override forward(x: Tensor, outputSize?: number[]): Tensor {
    const size = (outputSize ?? x.shape.slice(2).map((d) => 2 * d)) as [number, number];
    return child(this, 'conv', Conv2d).call(F.interpolate(x, { size, mode: 'bilinear', alignCorners: false }));
  }
}

export class UNet extends Module {
  readonly minSize: number;

  constructor(readonly inChannels: number, readonly numClasses: number, readonly baseChannels = 16, readonly depth = 4, readonly upsampling: UNetUpsampling = 'transposed') {
    super();
    checkPositiveInt(inChannels, 'unet: inChannels');
    checkPositiveInt(numClasses, 'unet: numClasses');
    checkPositiveInt(baseChannels, 'unet: baseChannels');
    checkPositiveInt(depth, 'unet: depth');
    if (upsampling !== 'transposed' && upsampling !== 'bilinear') throw new RangeError(`unet: upsampling must be 'transposed' or 'bilinear', got '${String(upsampling)}'`);
    this.minSize = 2 ** depth;
    const widths = Array.from({ length: depth + 1 }, (_, i) => baseChannels * 2 ** i);
    const down = new ModuleList<Sequential>();
    widths.forEach((w, i) => down.add(doubleConv(i === 0 ? inChannels : widths[i - 1]!, w)));
    const up = new ModuleList<Module<[Tensor, number[]?]>>();
    const merge = new ModuleList<Sequential>();
    for (let i = depth; i > 0; i--) {
      up.add(upsampling === 'transposed' ? new ConvTranspose2d(widths[i]!, widths[i - 1]!, 2, { stride: 2 }) : new BilinearUp(widths[i]!, widths[i - 1]!));
      merge.add(doubleConv(2 * widths[i - 1]!, widths[i - 1]!));
    }
    this.registerModule('down', down);
    this.registerModule('pool', new MaxPool2d(2));
    this.registerModule('up', up);
    this.registerModule('merge', merge);
    this.registerModule('head', new Conv2d(widths[0]!, numClasses, 1));
    torchvisionInit(this, { linear: 'default' });
  }

  override forward(x: Tensor): Tensor {
    const [h, w] = x.shape.slice(2) as [number, number];
    // Each pooling floors; below 2^depth pixels the deepest level would be empty.
    if (x.ndim !== 4 || h < this.minSize || w < this.minSize) {
      throw new RangeError(`unet: expected images [N, ${this.inChannels}, H, W] with H and W at least 2^depth = ${this.minSize}, got [${x.shape.join(', ')}]`);
    }
    const y = encodeDecode(this, x);
    return child(this, 'head', Conv2d).call(y);
  }
}

export function unet(opts: UNetOptions = {}): UNet {
  return new UNet(opts.inChannels ?? 3, opts.numClasses ?? 21, opts.baseChannels ?? 16, opts.depth ?? 4, opts.upsampling ?? 'transposed');
}
