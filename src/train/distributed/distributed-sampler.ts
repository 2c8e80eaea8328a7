// DistributedSampler: each rank visits its own share of the dataset, and together the
// ranks visit every index once per epoch (PyTorch's torch.utils.data.DistributedSampler).
// The epoch's order is one permutation drawn from (seed, epoch), the same on every rank
// without communication; rank r takes positions r, r + worldSize, ... so that shards have
// equal length, which keeps the ranks' step counts, and hence their collectives, aligned.
// Padding repeats the first indices; dropLast cuts the tail instead.
import { type Sampler, RandomSampler, SequentialSampler } from '../../data/index.js';

export interface DistributedSamplerOptions {
  rank: number;
  worldSize: number;
  /** A new permutation each epoch (default true). */
  shuffle?: boolean;
  /** Must be the same on every rank. Default 0. */
  seed?: number;
  /** Drop the tail that does not divide evenly instead of padding with repeated indices. */
  dropLast?: boolean;
}

export class DistributedSampler implements Sampler {
  readonly length: number;
  readonly rank: number;
  readonly worldSize: number;
  private readonly order: Sampler;
  private readonly total: number;

  constructor(readonly datasetLength: number, opts: DistributedSamplerOptions) {
    const who = 'DistributedSampler';
    if (!Number.isInteger(datasetLength) || datasetLength < 0) throw new RangeError(`${who}: dataset length must be a non-negative integer, got ${datasetLength}`);
    if (!Number.isInteger(opts?.worldSize) || opts.worldSize < 1) throw new RangeError(`${who}: worldSize must be a positive integer, got ${opts?.worldSize}`);
    if (!Number.isInteger(opts.rank) || opts.rank < 0 || opts.rank >= opts.worldSize) {
      throw new RangeError(`${who}: rank must be an integer in [0, ${opts.worldSize - 1}], got ${opts.rank}`);
    }
    this.rank = opts.rank;
    this.worldSize = opts.worldSize;
    this.length = opts.dropLast ? Math.floor(datasetLength / this.worldSize) : Math.ceil(datasetLength / this.worldSize);
    this.total = this.length * this.worldSize;
    if (this.total > 0 && datasetLength === 0) throw new RangeError(`${who}: cannot pad an empty dataset`);
    this.order = (opts.shuffle ?? true)
      ? new RandomSampler(datasetLength, { seed: opts.seed ?? 0 })
      : new SequentialSampler(datasetLength);
  }

  indices(epoch: number): Int32Array {
    const all = this.order.indices(epoch);
    const out = new Int32Array(this.length);
    for (let k = 0; k < this.length; k++) out[k] = all[(this.rank + k * this.worldSize) % all.length]!;
    return out;
  }
}
