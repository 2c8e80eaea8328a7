// Samplers decide which dataset indices an epoch visits, and in which order. They are
// pure functions of (seed, epoch), so every epoch is reproducible on its own (a resumed
// run sees the same order as an uninterrupted one). The draws come from a libtorch
// Generator seeded with (seed, epoch): randperm and multinomial run natively, and the
// default generator that model initialisation uses is left alone.
import { Generator, randperm, tensor, ops, tidy } from '../torch/index.js';
import { deriveSeed } from './transforms/rng.js';

/** Runs fn with a fresh CPU generator for (seed, epoch), freed afterwards. */
function withEpochGenerator<T>(seed: number, epoch: number, fn: (g: Generator) => T): T {
  const gen = new Generator(deriveSeed(seed, epoch));
  try {
    return fn(gen);
  } finally {
    gen.dispose();
  }
}

function toInt32(values: ArrayLike<number | bigint>): Int32Array {
  return Int32Array.from(values as ArrayLike<number>, (v) => Number(v));
}

export interface Sampler {
  /** Number of indices per epoch. */
  readonly length: number;
  /** The dataset indices visited in one epoch, in order. */
  indices(epoch: number): Int32Array;
}

function checkCount(n: number, who: string, what = 'size'): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${who}: ${what} must be a non-negative integer, got ${n}`);
}

/** 0, 1, ..., n-1 every epoch. */
export class SequentialSampler implements Sampler {
  constructor(readonly length: number) {
    checkCount(length, 'SequentialSampler');
  }
  indices(): Int32Array {
    return Int32Array.from({ length: this.length }, (_, i) => i);
  }
}

/** A fresh permutation of 0..n-1 per epoch, determined by (seed, epoch). */
export class RandomSampler implements Sampler {
  readonly seed: number;
  constructor(readonly length: number, opts: { seed?: number } = {}) {
    checkCount(length, 'RandomSampler');
    this.seed = opts.seed ?? 0;
  }
  indices(epoch: number): Int32Array {
    return withEpochGenerator(this.seed, epoch, (generator) =>
      tidy(() => toInt32(randperm(this.length, { dtype: 'int32', generator }).toTypedArray() as Int32Array)));
  }
}

export interface WeightedRandomSamplerOptions {
  /** Draw with replacement (the default), or each index at most once. */
  replacement?: boolean;
  seed?: number;
}

/** numSamples indices drawn with probability proportional to weights[i]. */
export class WeightedRandomSampler implements Sampler {
  private readonly w64: Float64Array;
  private readonly replacement: boolean;
  private readonly seed: number;

  constructor(readonly weights: ArrayLike<number>, readonly length: number, opts: WeightedRandomSamplerOptions = {}) {
    const who = 'WeightedRandomSampler';
    checkCount(length, who, 'numSamples');
    if (weights.length === 0) throw new Error(`${who}: weights is empty`);
    this.w64 = Float64Array.from(weights);
    let total = 0;
    let positive = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i]!;
      if (!(w >= 0 && Number.isFinite(w))) throw new RangeError(`${who}: weights[${i}] must be a finite non-negative number, got ${w}`);
      if (w > 0) positive++;
      total += w;
    }
    if (total <= 0) throw new Error(`${who}: all weights are zero`);
    this.replacement = opts.replacement ?? true;
    this.seed = opts.seed ?? 0;
    if (!this.replacement && length > positive) {
      throw new RangeError(`${who}: cannot draw ${length} samples without replacement from ${positive} indices with positive weight`);
    }
  }

  indices(epoch: number): Int32Array {
    if (this.length === 0) return new Int32Array(0);
    return withEpochGenerator(this.seed, epoch, (generator) => tidy(() => {
      const drawn = ops.multinomial(tensor(this.w64), this.length, this.replacement, { generator });
      return toInt32(drawn.toTypedArray() as BigInt64Array);
    }));
  }
}

/**
 * Draws with replacement so that every class present in labels has the same expected
 * count per epoch (weights 1 / class count), for imbalanced datasets.
 */
export class ClassBalancedSampler implements Sampler {
  private readonly inner: WeightedRandomSampler;
  readonly length: number;

  constructor(labels: ArrayLike<number>, opts: { seed?: number; numSamples?: number } = {}) {
    if (labels.length === 0) throw new Error('ClassBalancedSampler: labels is empty');
    const counts = new Map<number, number>();
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i]!;
      if (!Number.isInteger(l) || l < 0) throw new RangeError(`ClassBalancedSampler: labels[${i}] must be a non-negative integer, got ${l}`);
      counts.set(l, (counts.get(l) ?? 0) + 1);
    }
    const weights = Float64Array.from({ length: labels.length }, (_, i) => 1 / counts.get(labels[i]!)!);
    this.length = opts.numSamples ?? labels.length;
    this.inner = new WeightedRandomSampler(weights, this.length, { replacement: true, seed: opts.seed });
  }

  indices(epoch: number): Int32Array {
    return this.inner.indices(epoch);
  }
}
