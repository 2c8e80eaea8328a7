// Convolutional autoencoders built from a list of encoder stages. Each stage is a
// convolution (3×3 'same' by default, or 'valid', which shrinks the map by kernel - 1)
// with ReLU, optionally followed by a 2×2 max-pool or done with stride 2. The decoder
// mirrors the encoder stage by stage: a transposed convolution (or nearest upsampling and
// a convolution) undoes each downsampling to the exact size the encoder had there, and a
// transposed 'valid' convolution undoes each 'valid' shrink. A 3×3 convolution and a
// sigmoid give the image back in [0, 1].
//
// The scene study's three latent sizes for 80×80 inputs are presets:
//   128×10×10: three 'same' conv + pool stages (32, 64, 128 channels), 80 → 40 → 20 → 10;
//   32×38×38:  two 3×3 'valid' convs (64, 32 channels) and one pool, 80 → 78 → 76 → 38;
//   32×71×71:  three 4×4 'valid' convs (64, 32, 32 channels), 80 → 77 → 74 → 71.
import type { Tensor } from '../torch/index.js';
import {
  Module, Sequential, ModuleList, Conv2d, ConvTranspose2d, BatchNorm2d, ReLU, MaxPool2d, Sigmoid, Upsample, Identity,
} from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, resolveInputSize, child } from './options.js';

export interface EncoderStage {
  channels: number;
  /** Kernel side (default 3). */
  kernel?: number;
  /** 'same' keeps the size (odd kernels), 'valid' shrinks it by kernel - 1. Default 'same'. */
  padding?: 'same' | 'valid';
  /** 'pool': a 2×2 max-pool after the conv; 'stride': the conv has stride 2; 'none'. Default 'pool'. */
  downsample?: 'pool' | 'stride' | 'none';
}

export interface ConvAutoencoderOptions extends ModelOptions {
  stages?: readonly EncoderStage[];
  /** How the decoder undoes a downsampling. Default 'transposed'. */
  decoder?: 'transposed' | 'upsample';
  /** Batch norm after every convolution but the last. Default false. */
  batchNorm?: boolean;
}

export const CONV_AUTOENCODER_PRESETS = {
  /** Two conv + pool stages (32, 64): the study-style autoencoder for 28×28 images (latent 64×7×7). */
  'study': [{ channels: 32 }, { channels: 64 }],
  '128x10x10': [{ channels: 32 }, { channels: 64 }, { channels: 128 }],
  '32x38x38': [{ channels: 64, padding: 'valid', downsample: 'none' }, { channels: 32, padding: 'valid' }],
  '32x71x71': [
    { channels: 64, kernel: 4, padding: 'valid', downsample: 'none' },
    { channels: 32, kernel: 4, padding: 'valid', downsample: 'none' },
    { channels: 32, kernel: 4, padding: 'valid', downsample: 'none' },
  ],
} as const satisfies Record<string, readonly EncoderStage[]>;
export type ConvAutoencoderPreset = keyof typeof CONV_AUTOENCODER_PRESETS;

function checkStage(s: EncoderStage, i: number, who: string): Required<EncoderStage> {
  const kernel = checkPositiveInt(s.kernel ?? 3, `${who}: stages[${i}].kernel`);
  const padding = s.padding ?? 'same';
  const downsample = s.downsample ?? 'pool';
  if (padding !== 'same' && padding !== 'valid') throw new RangeError(`${who}: stages[${i}].padding must be 'same' or 'valid', got '${String(padding)}'`);
  if (!['pool', 'stride', 'none'].includes(downsample)) throw new RangeError(`${who}: stages[${i}].downsample must be 'pool', 'stride' or 'none', got '${String(downsample)}'`);
  if (padding === 'same' && kernel % 2 === 0) throw new RangeError(`${who}: stages[${i}]: 'same' padding needs an odd kernel, got ${kernel}`);
  return { channels: checkPositiveInt(s.channels, `${who}: stages[${i}].channels`), kernel, padding, downsample };
}

function convBlock(conv: Module, channels: number, batchNorm: boolean): Sequential {
  return new Sequential(conv, batchNorm ? new BatchNorm2d(channels) : new Identity(), new ReLU());
}

/** Undoes one encoder stage: back to the size and channels the stage received. */
export class DecoderStage extends Module {
  constructor(stage: Required<EncoderStage>, outChannels: number, readonly sizeBeforeDownsample: [number, number], mode: 'transposed' | 'upsample', batchNorm: boolean) {
    super();
    const { channels: c, kernel: k, padding, downsample } = stage;
    if (downsample !== 'none') {
      // A strided conv is undone by a transposed conv of its kernel; a pool by one of 2×2.
      const [kk, pad] = downsample === 'stride' ? [k, padding === 'same' ? (k - 1) / 2 : 0] : [2, 0];
      this.registerModule('up', mode === 'transposed' ? new ConvTranspose2d(c, c, kk, { stride: 2, padding: pad })
        : new Sequential(new Upsample({ size: sizeBeforeDownsample }), new Conv2d(c, c, 3, { padding: 1 })));
      this.registerModule('upNorm', batchNorm ? new BatchNorm2d(c) : new Identity());
    }
    const undo = downsample === 'stride' ? new Conv2d(c, outChannels, 3, { padding: 1 })
      : padding === 'valid' ? new ConvTranspose2d(c, outChannels, k) : new Conv2d(c, outChannels, k, { padding: (k - 1) / 2 });
    this.registerModule('conv', convBlock(undo, outChannels, batchNorm));
  }

  override forward(x: Tensor): Tensor {
    const up = this.getModule('up');
    let y = x;
    if (up) {
      y = up instanceof ConvTranspose2d ? up.call(x, this.sizeBeforeDownsample) : (up as Module).call(x);
      y = child(this, 'upNorm', Module).call(y).relu();
    }
    return child(this, 'conv', Sequential).call(y);
  }
}

/** Spatial size after a conv of kernel k, padding p and stride st. */
function convOut(size: number, k: number, p: number, st: number): number {
  return Math.floor((size + 2 * p - k) / st) + 1;
}

export class ConvAutoencoder extends Module {
  /** [channels, height, width] of the latent map for the input size the model was built for. */
  readonly latentShape: [number, number, number];

  constructor(readonly inChannels: number, readonly inputSize: [number, number], stages: readonly EncoderStage[], opts: { decoder?: 'transposed' | 'upsample'; batchNorm?: boolean } = {}) {
    super();
    const who = 'ConvAutoencoder';
    if (!Array.isArray(stages) || stages.length === 0) throw new RangeError(`${who}: stages must list at least one encoder stage`);
    const mode = opts.decoder ?? 'transposed';
    if (mode !== 'transposed' && mode !== 'upsample') throw new RangeError(`${who}: decoder must be 'transposed' or 'upsample', got '${String(mode)}'`);
    const bn = opts.batchNorm ?? false;
    const checked = stages.map((s, i) => checkStage(s, i, who));
    const encoder = new Sequential();
    const decoderStages: DecoderStage[] = [];
    let inCh = inChannels;
    let hw: [number, number] = [...inputSize];
    for (const [i, s] of checked.entries()) {
      const pad = s.padding === 'same' ? (s.kernel - 1) / 2 : 0;
      const stride = s.downsample === 'stride' ? 2 : 1;
      const block = convBlock(new Conv2d(inCh, s.channels, s.kernel, { padding: pad, stride }), s.channels, bn);
      const afterConv = hw.map((v) => convOut(v, s.kernel, pad, stride)) as [number, number];
      // The size the decoder must give back exactly when it undoes this stage's downsampling.
      const beforeDown: [number, number] = s.downsample === 'stride' ? hw : afterConv;
      hw = s.downsample === 'pool' ? afterConv.map((v) => Math.floor(v / 2)) as [number, number] : afterConv;
      if (hw[0] < 1 || hw[1] < 1) throw new RangeError(`${who}: input ${inputSize[0]}×${inputSize[1]} shrinks to nothing at stage ${i}`);
      if (s.downsample === 'pool') block.add(new MaxPool2d(2));
      encoder.add(block);
      decoderStages.unshift(new DecoderStage(s, i > 0 ? checked[i - 1]!.channels : s.channels, beforeDown, mode, bn));
      inCh = s.channels;
    }
    this.latentShape = [inCh, hw[0], hw[1]];
    this.registerModule('encoder', encoder);
    this.registerModule('decoder', new ModuleList(decoderStages));
    this.registerModule('head', new Sequential(new Conv2d(checked[0]!.channels, inChannels, 3, { padding: 1 }), new Sigmoid()));
  }

  encode(x: Tensor): Tensor {
    return child(this, 'encoder', Sequential).call(x);
  }

  override forward(x: Tensor): Tensor {
    let y = this.encode(x);
    for (const stage of child(this, 'decoder', ModuleList) as ModuleList<DecoderStage>) y = stage.call(y);
    return child(this, 'head', Sequential).call(y);
  }
}

/** A convolutional autoencoder from stages or a named preset (default: the study-style two stages). */
export function convAutoencoder(opts: ConvAutoencoderOptions & { preset?: ConvAutoencoderPreset } = {}): ConvAutoencoder {
  const who = 'convAutoencoder';
  const preset = opts.preset ?? 'study';
  if (!(preset in CONV_AUTOENCODER_PRESETS)) throw new RangeError(`${who}: unknown preset '${String(preset)}' (expected ${Object.keys(CONV_AUTOENCODER_PRESETS).join(', ')})`);
  const stages = opts.stages ?? CONV_AUTOENCODER_PRESETS[preset];
  const c = checkPositiveInt(opts.inChannels ?? 1, `${who}: inChannels`);
  const hw = resolveInputSize(opts.inputSize ?? 28, who);
  return new ConvAutoencoder(c, hw, stages, { ...(opts.decoder ? { decoder: opts.decoder } : {}), ...(opts.batchNorm !== undefined ? { batchNorm: opts.batchNorm } : {}) });
}
