// The Keras "Flatten, Dense 128, Dense n" baseline: one hidden layer over raw pixels.
import { Tensor } from '../torch/index.js';
import { Module, Flatten, Linear, ReLU } from '../nn/index.js';
import { type ModelOptions, checkPositiveInt, resolveInputSize, child } from './options.js';
import type { TransferLayout } from './transfer-layout.js';

export interface MlpOptions extends ModelOptions {
  /** Width of the hidden layer (128 as in the Keras baseline). */
  hidden?: number;
}

export class Mlp extends Module implements TransferLayout {
  readonly headPath = 'fc2';

  constructor(readonly inFeatures: number, readonly hidden: number, numClasses: number) {
    super();
    this.registerModule('flatten', new Flatten());
    this.registerModule('fc1', new Linear(inFeatures, hidden));
    this.registerModule('relu', new ReLU());
    this.registerModule('fc2', new Linear(hidden, numClasses));
  }

  /** Width of the current head (follows replaceHead). */
  get numClasses(): number { return child(this, 'fc2', Linear).outFeatures; }

  override forward(x: Tensor): Tensor {
    const flat = child(this, 'flatten', Flatten).call(x);
    if (flat.ndim !== 2 || flat.shape[1] !== this.inFeatures) {
      throw new RangeError(`Mlp: expected [N, ...] images with ${this.inFeatures} values each, got shape [${x.shape.join(', ')}]`);
    }
    const h = child(this, 'relu', ReLU).call(child(this, 'fc1', Linear).call(flat));
    return child(this, 'fc2', Linear).call(h);
  }

  backboneStages(): string[][] { return [['fc1']]; }
}

/** Defaults to 28×28 greyscale images and 10 classes (MNIST/Fashion-MNIST). */
export function mlp(opts: MlpOptions = {}): Mlp {
  const [h, w] = resolveInputSize(opts.inputSize ?? 28, 'mlp');
  const c = checkPositiveInt(opts.inChannels ?? 1, 'mlp: inChannels');
  return new Mlp(c * h * w, checkPositiveInt(opts.hidden ?? 128, 'mlp: hidden'), checkPositiveInt(opts.numClasses ?? 10, 'mlp: numClasses'));
}
