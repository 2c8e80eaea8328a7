// A residual denoiser in the style of DnCNN (Zhang et al. 2017): a plain stack of 3×3
// convolutions with batch norm that predicts the noise, which is then subtracted from the
// input. Learning the residual rather than the image is what lets a deep plain network
// train quickly: the noise is simpler than the image it hides.
import type { Tensor } from '../torch/index.js';
import { Module, Sequential, Conv2d, BatchNorm2d, ReLU } from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, child } from './options.js';

export interface DnCnnOptions extends ModelOptions {
  /** Convolution layers in all (default 17, the paper's for known noise levels). */
  depth?: number;
  /** Feature maps of the hidden layers (default 64). */
  features?: number;
}

export class DnCnn extends Module {
  constructor(readonly inChannels = 1, readonly depth = 17, readonly features = 64) {
    super();
    checkPositiveInt(inChannels, 'DnCnn: inChannels');
    checkPositiveInt(features, 'DnCnn: features');
    if (!Number.isInteger(depth) || depth < 2) throw new RangeError(`DnCnn: depth must be an integer >= 2, got ${depth}`);
    const layers: Module[] = [new Conv2d(inChannels, features, 3, { padding: 1 }), new ReLU()];
    for (let i = 0; i < depth - 2; i++) {
      layers.push(new Conv2d(features, features, 3, { padding: 1, bias: false }), new BatchNorm2d(features), new ReLU());
    }
    layers.push(new Conv2d(features, inChannels, 3, { padding: 1 }));
    this.registerModule('body', new Sequential(...layers));
  }

  /** The noise the network sees in x. */
  predictNoise(x: Tensor): Tensor {
    return child(this, 'body', Sequential).call(x);
  }

  override forward(x: Tensor): Tensor {
    return x.sub(this.predictNoise(x));
  }
}

export function dncnn(opts: DnCnnOptions = {}): DnCnn {
  return new DnCnn(opts.inChannels ?? 1, opts.depth ?? 17, opts.features ?? 64);
}
