// A U-Net denoiser: an encoder of double 3×3 conv + batch norm blocks with 2×2 max-pools
// between them, a decoder that upsamples with 2×2 transposed convolutions to the exact
// size of the matching encoder level and concatenates its features (the skip connections
// carry the fine detail a bottleneck would lose), and a 1×1 convolution back to the image
// channels. By default the output is the input minus the predicted noise (as in DnCNN),
// which makes the identity easy to learn and training fast.
import type { Tensor } from '../torch/index.js';
import { Module, Sequential, ModuleList, Conv2d, ConvTranspose2d, MaxPool2d } from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, child } from './options.js';
import { doubleConv, encodeDecode } from './unet-parts.js';

export interface UNetDenoiserOptions extends ModelOptions {
  /** Channels of each level, top to bottom (default [32, 64, 128]: two downsamplings). */
  widths?: readonly number[];
  /** Output = input - predicted noise (default true); false: the network outputs the image. */
  residual?: boolean;
}

export class UNetDenoiser extends Module {
  constructor(readonly inChannels: number, readonly widths: readonly number[], readonly residual = true) {
    super();
    checkPositiveInt(inChannels, 'UNetDenoiser: inChannels');
    if (!Array.isArray(widths) || widths.length < 2) throw new RangeError(`UNetDenoiser: widths must list at least 2 levels, got ${JSON.stringify(widths)}`);
    widths.forEach((w, i) => checkPositiveInt(w, `UNetDenoiser: widths[${i}]`));
    const down = new ModuleList<Sequential>();
    widths.forEach((w, i) => down.add(doubleConv(i === 0 ? inChannels : widths[i - 1]!, w)));
    const up = new ModuleList<ConvTranspose2d>();
    const merge = new ModuleList<Sequential>();
    for (let i = widths.length - 1; i > 0; i--) {
      up.add(new ConvTranspose2d(widths[i]!, widths[i - 1]!, 2, { stride: 2 }));
      merge.add(doubleConv(2 * widths[i - 1]!, widths[i - 1]!));
    }
    this.registerModule('down', down);
    this.registerModule('pool', new MaxPool2d(2));
    this.registerModule('up', up);
    this.registerModule('merge', merge);
    this.registerModule('head', new Conv2d(widths[0]!, inChannels, 1));
  }

  override forward(x: Tensor): Tensor {
    const y = encodeDecode(this, x);
    const out = child(this, 'head', Conv2d).call(y);
    return this.residual ? x.sub(out) : out;
  }
}

export function unetDenoiser(opts: UNetDenoiserOptions = {}): UNetDenoiser {
  return new UNetDenoiser(opts.inChannels ?? 1, opts.widths ?? [32, 64, 128], opts.residual ?? true);
}
