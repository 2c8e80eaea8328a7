// Additive Gaussian noise. The noise itself is drawn by libtorch, seeded from the
// transform's generator, so that the same seed gives the same noisy batch.
import { type Tensor } from '../../torch/index.js';
import { BaseTransform, type RandomOptions } from './transform.js';
import { inUnitFloat } from './pixels.js';
import { seededRandn } from './torch-random.js';
import { type Rng } from './rng.js';

export interface GaussianNoiseOptions extends RandomOptions {
  mean?: number;
  /** Clamp the result to [min, max], e.g. [0, 1] for unnormalised images. */
  clip?: readonly [number, number];
}

/** x + N(mean, std²) per pixel, on the [0, 1] scale for uint8 images (which stay uint8). Identity in eval mode. */
export class GaussianNoise extends BaseTransform {
  readonly kind = 'photometric' as const;
  constructor(readonly std: number, readonly options: GaussianNoiseOptions = {}) {
    super(options);
    if (!(std >= 0 && Number.isFinite(std))) throw new RangeError(`GaussianNoise: std must be a non-negative number, got ${std}`);
    const clip = options.clip;
    if (clip && !(clip.length === 2 && clip[0] <= clip[1])) throw new RangeError(`GaussianNoise: clip must be [min, max], got ${JSON.stringify(clip)}`);
  }

  protected forward(x: Tensor, rng: Rng): Tensor {
    if (!this.training || this.std === 0) return x;
    const seed = rng.nextUint32();
    return inUnitFloat(x, (xf) => {
      const noise = seededRandn(seed, xf.shape, xf.device).to(xf.dtype);
      let y = xf.add(noise.mul(this.std).add(this.options.mean ?? 0));
      if (this.options.clip) y = y.clamp(this.options.clip[0], this.options.clip[1]);
      return y;
    });
  }
}
