// Noise models for denoising: seeded corruptions that turn clean images into the
// (noisy, clean) pairs a denoiser trains on. Unlike augmentations (GaussianNoise, which
// is off in eval mode), they corrupt in eval mode too: a denoiser is measured on noisy
// inputs, and the loader's per-batch seeds make that noise the same on every evaluation.
// Per-image parameters (a random std for blind denoising) are drawn from the Rng;
// per-pixel values come from libtorch through a generator seeded from it.
import { type Tensor, tensor } from '../../torch/index.js';
import { BaseTransform, type RandomOptions } from './transform.js';
import { inUnitFloat, toUnitFloat } from './pixels.js';
import { seededRandn, seededRand, seededPoisson } from './torch-random.js';
import { type Rng } from './rng.js';

export interface NoisyPair {
  noisy: Tensor;
  /** The clean images as [0, 1] floats (the input itself when it already was). */
  clean: Tensor;
}

export interface NoiseModelOptions extends RandomOptions {
  /** Clamp noisy images to [0, 1] (true) or to [min, max]. Default false. */
  clip?: boolean | readonly [number, number];
}

export abstract class NoiseModel extends BaseTransform {
  readonly kind = 'photometric' as const;
  private readonly clipRange: readonly [number, number] | null;

  constructor(opts: NoiseModelOptions = {}) {
    super(opts);
    const clip = opts.clip ?? false;
    if (clip !== true && clip !== false && !(Array.isArray(clip) && clip.length === 2 && clip[0] <= clip[1])) {
      throw new RangeError(`${this.constructor.name}: clip must be true, false or [min, max], got ${JSON.stringify(clip)}`);
    }
    this.clipRange = clip === true ? [0, 1] : clip === false ? null : clip;
  }

  /** The corruption of a float batch N×C×H×W on the [0, 1] scale. */
  protected abstract corrupt(x: Tensor, rng: Rng): Tensor;

  protected forward(x: Tensor, rng: Rng): Tensor {
    return inUnitFloat(x, (xf) => {
      const y = this.corrupt(xf, rng);
      return this.clipRange ? y.clamp(this.clipRange[0], this.clipRange[1]) : y;
    });
  }

  /** Corrupts a batch (N×C×H×W, uint8 or [0, 1] floats) and returns it with its clean version as floats. */
  pair(clean: Tensor, rng?: Rng): NoisyPair {
    const c = toUnitFloat(clean);
    return { noisy: this.apply(c, rng), clean: c };
  }
}

function checkFraction(v: number, what: string): number {
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${what} must be in [0, 1], got ${v}`);
  return v;
}

/**
 * x + N(0, std²). With std a range [low, high], each image gets its own std drawn
 * uniformly from it: blind denoising, where the model is not told the noise level.
 */
export class AdditiveGaussianNoise extends NoiseModel {
  readonly std: number | readonly [number, number];

  constructor(std: number | readonly [number, number], opts: NoiseModelOptions = {}) {
    super(opts);
    const ok = (v: unknown) => typeof v === 'number' && v >= 0 && Number.isFinite(v);
    const valid = Array.isArray(std) ? std.length === 2 && ok(std[0]) && ok(std[1]) && std[0] <= std[1] : ok(std);
    if (!valid) throw new RangeError(`AdditiveGaussianNoise: std must be a non-negative number or a range [low, high], got ${JSON.stringify(std)}`);
    this.std = std;
  }

  /** The std of each image of a batch of n, drawn as corrupt() draws them. */
  private stds(n: number, rng: Rng): Float32Array {
    const s = this.std;
    return typeof s === 'number' ? new Float32Array(n).fill(s) : Float32Array.from({ length: n }, () => rng.uniform(s[0], s[1]));
  }

  protected corrupt(x: Tensor, rng: Rng): Tensor {
    const n = x.shape[0]!;
    const stds = tensor(this.stds(n, rng)).to({ dtype: x.dtype, device: x.device }).reshape([n, 1, 1, 1]);
    return x.add(seededRandn(rng.nextUint32(), x.shape, x.device).to(x.dtype).mul(stds));
  }
}

export interface SaltAndPepperOptions extends NoiseModelOptions {
  /** Share of the corrupted values set to 1 (salt) rather than 0 (pepper). Default 0.5. */
  saltVsPepper?: number;
}

/** A share `amount` of the values (each channel on its own, as scikit-image does) set to 0 or 1. */
export class SaltAndPepperNoise extends NoiseModel {
  readonly saltVsPepper: number;
  constructor(readonly amount: number, opts: SaltAndPepperOptions = {}) {
    super(opts);
    checkFraction(amount, 'SaltAndPepperNoise: amount');
    this.saltVsPepper = checkFraction(opts.saltVsPepper ?? 0.5, 'SaltAndPepperNoise: saltVsPepper');
  }

  protected corrupt(x: Tensor, rng: Rng): Tensor {
    const u = seededRand(rng.nextUint32(), x.shape, x.device).to(x.dtype);
    const salt = u.lt(this.amount * this.saltVsPepper);
    const pepper = u.lt(this.amount).logicalAnd(salt.logicalNot());
    return x.maskedFill(salt, 1).maskedFill(pepper, 0);
  }
}

/**
 * Shot noise: each value becomes Poisson(x · peak) / peak, so its variance is x / peak
 * (a photon count with `peak` photons at full brightness). Smaller peaks are noisier.
 */
export class PoissonNoise extends NoiseModel {
  constructor(readonly peak: number, opts: NoiseModelOptions = {}) {
    super(opts);
    if (!(peak > 0 && Number.isFinite(peak))) throw new RangeError(`PoissonNoise: peak must be a positive number, got ${peak}`);
  }

  protected corrupt(x: Tensor, rng: Rng): Tensor {
    return seededPoisson(rng.nextUint32(), x.clamp(0, null).mul(this.peak)).div(this.peak).to(x.dtype);
  }
}

export interface RandomMaskingOptions extends NoiseModelOptions {
  /** What a masked pixel becomes (default 0). */
  value?: number;
}

/** Drops a share p of the pixels (all channels of a pixel together), setting them to `value`. */
export class RandomMasking extends NoiseModel {
  readonly value: number;
  constructor(readonly p: number, opts: RandomMaskingOptions = {}) {
    super(opts);
    checkFraction(p, 'RandomMasking: p');
    this.value = opts.value ?? 0;
    if (!Number.isFinite(this.value)) throw new RangeError(`RandomMasking: value must be a finite number, got ${this.value}`);
  }

  protected corrupt(x: Tensor, rng: Rng): Tensor {
    const [n, , h, w] = x.shape as [number, number, number, number];
    const masked = seededRand(rng.nextUint32(), [n, 1, h, w], x.device).lt(this.p);
    return x.maskedFill(masked, this.value);
  }
}
