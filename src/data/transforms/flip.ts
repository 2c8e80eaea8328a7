// Horizontal and vertical flips. Random flips decide per sample and apply all decisions
// with one where() over the batch.
import { type Tensor, tensor, ops } from '../../torch/index.js';
import { BaseTransform, type ImageMaskPair, type RandomOptions } from './transform.js';
import { type Rng } from './rng.js';

export function hflip(x: Tensor): Tensor { return x.flip(-1); }
export function vflip(x: Tensor): Tensor { return x.flip(-2); }

/** Per-sample choice: x[n] flipped where chosen[n]. */
function flipWhere(x: Tensor, chosen: Uint8Array, dim: number): Tensor {
  const count = chosen.reduce((a, b) => a + b, 0);
  if (count === 0) return x;
  if (count === chosen.length) return x.flip(dim);
  const mask = tensor(chosen, { shape: [chosen.length, 1, 1, 1], device: x.device }).bool();
  return ops.where$self(mask, x.flip(dim), x);
}

abstract class RandomFlip extends BaseTransform {
  readonly kind = 'geometric' as const;
  protected abstract readonly dim: number;

  constructor(readonly p = 0.5, opts: RandomOptions = {}) {
    super(opts);
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${this.constructor.name}: p must be in [0, 1], got ${p}`);
  }

  private choose(n: number, rng: Rng): Uint8Array {
    const c = new Uint8Array(n);
    for (let k = 0; k < n; k++) c[k] = rng.next() < this.p ? 1 : 0;
    return c;
  }

  protected forward(x: Tensor, rng: Rng): Tensor {
    if (!this.training) return x;
    return flipWhere(x, this.choose(x.shape[0]!, rng), this.dim);
  }

  protected override forwardPair(images: Tensor, masks: Tensor, rng: Rng): ImageMaskPair {
    if (!this.training) return { images, masks };
    const chosen = this.choose(images.shape[0]!, rng);
    return { images: flipWhere(images, chosen, this.dim), masks: flipWhere(masks, chosen, this.dim) };
  }
}

/** Mirrors left-right with probability p per sample (p = 1: always). Identity in eval mode. */
export class RandomHorizontalFlip extends RandomFlip {
  protected readonly dim = -1;
}

/** Mirrors top-bottom with probability p per sample (p = 1: always). Identity in eval mode. */
export class RandomVerticalFlip extends RandomFlip {
  protected readonly dim = -2;
}
