// DataLoader: batches of a dataset, shuffled per epoch, transformed and moved to a device.
//
// Prefetching. libtorch operators run synchronously on the calling thread, and tensors
// cannot move between worker_threads (each thread would need its own copy of the
// dataset), so batches are prepared on the main thread, in setImmediate callbacks
// scheduled ahead of the consumer: up to `prefetch` batches are queued before the current
// one is handed over. Each operator still uses libtorch's intra-op threads (every core).
// This overlaps batch preparation with whatever the consumer awaits (I/O, logging,
// checkpoints) and, on CUDA, with the GPU work the consumer has queued; on a CPU-only
// machine preparation and training share the cores, so the loader's cost is its own
// throughput (see `npm run bench:data`).
//
// Determinism. The order of epoch e comes from the sampler as a function of (seed, e);
// the transform of batch b of epoch e draws from a generator seeded with (seed, e, b).
// Batches are therefore identical whatever the prefetch depth or the consumer's timing.
//
// Ownership. Yielded tensors belong to the consumer, in the memory scope that receives
// them: dispose them, or receive them inside tidy/tidyAsync. Batches prepared but never
// handed over (a loop left early) are freed by the loader.
import { type Tensor, tidy, adopt, untracked } from '../torch/index.js';
import { type Batch, type Dataset } from './dataset.js';
import { type Sampler, SequentialSampler, RandomSampler } from './samplers.js';
import { type Transform } from './transforms/transform.js';
import { Rng, deriveSeed } from './transforms/rng.js';
import { toFloat } from './transforms/to-float.js';
import { isFloatImage } from './transforms/pixels.js';

export type TargetTransform = ((targets: Tensor) => Tensor) | { apply(targets: Tensor, rng?: Rng): Tensor };

export interface DataLoaderOptions {
  batchSize?: number;
  /** Reshuffle every epoch (ignored when a sampler is given). Default false. */
  shuffle?: boolean;
  /** Seed of the shuffling and of the transforms' randomness. Default 0. */
  seed?: number;
  /** Drop the last batch if it is smaller than batchSize. Default false. */
  dropLast?: boolean;
  sampler?: Sampler;
  /** Applied to each batch of inputs; integer images still integer afterwards are scaled to [0, 1] floats. */
  transform?: Transform;
  targetTransform?: TargetTransform;
  /** Applied with applyPair to inputs and targets (segmentation masks move with their images). */
  pairTransform?: Transform;
  /**
   * Denoising pairs: after the transform, the images become the targets and their
   * corrupted version (seeded per batch like the transform) the inputs; labels are dropped.
   */
  noise?: { pair(clean: Tensor, rng?: Rng): { noisy: Tensor; clean: Tensor } };
  /** How many batches to prepare ahead of the one being consumed. Default 2; 0 prepares on demand. */
  prefetch?: number;
  /** Where yielded tensors live, e.g. 'cuda'. Default 'cpu'. */
  device?: string;
}

export class DataLoader implements AsyncIterable<Batch> {
  readonly batchSize: number;
  readonly dropLast: boolean;
  readonly sampler: Sampler;
  readonly prefetch: number;
  readonly seed: number;
  /** The epoch the next iteration will run (incremented by every `for await`). */
  epoch = 0;

  constructor(readonly dataset: Dataset, readonly options: DataLoaderOptions = {}) {
    const o = options;
    if (!dataset || typeof dataset.getBatch !== 'function') throw new TypeError('DataLoader: dataset must implement getBatch(indices)');
    this.batchSize = o.batchSize ?? 32;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${o.batchSize}`);
    this.prefetch = o.prefetch ?? 2;
    if (!Number.isInteger(this.prefetch) || this.prefetch < 0) throw new RangeError(`DataLoader: prefetch must be a non-negative integer, got ${o.prefetch}`);
    this.seed = o.seed ?? 0;
    this.dropLast = o.dropLast ?? false;
    if (o.sampler && o.shuffle) throw new Error('DataLoader: give either shuffle or a sampler, not both (the sampler decides the order)');
    this.sampler = o.sampler ?? (o.shuffle ? new RandomSampler(dataset.length, { seed: this.seed }) : new SequentialSampler(dataset.length));
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Sets the epoch the next iteration runs (to resume a run where it stopped). */
  setEpoch(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`DataLoader.setEpoch: expected a non-negative integer, got ${epoch}`);
    this.epoch = epoch;
  }

  /** The dataset indices of every batch of an epoch. */
  batchIndices(epoch: number): Int32Array[] {
    const order = this.sampler.indices(epoch);
    const out: Int32Array[] = [];
    for (let b = 0; b < this.length; b++) out.push(order.subarray(b * this.batchSize, Math.min(order.length, (b + 1) * this.batchSize)));
    return out;
  }

  /** Builds batch b of an epoch synchronously (what the iterator prefetches). */
  prepareBatch(indices: Int32Array, epoch: number, b: number): Batch {
    const o = this.options;
    return tidy(() => {
      const raw = this.dataset.getBatch(indices);
      const rng = new Rng(deriveSeed(this.seed, epoch, b));
      let inputs = raw.inputs;
      let targets = raw.targets;
      if (o.pairTransform) ({ images: inputs, masks: targets } = applyPairOf(o.pairTransform, inputs, targets, rng));
      if (o.transform) inputs = o.transform.apply(inputs, rng);
      if (!isFloatImage(inputs)) inputs = toFloat(inputs);
      if (o.noise) ({ noisy: inputs, clean: targets } = o.noise.pair(inputs, rng));
      if (o.targetTransform) targets = typeof o.targetTransform === 'function' ? o.targetTransform(targets) : o.targetTransform.apply(targets, rng);
      if (o.device && o.device !== inputs.device) {
        inputs = inputs.to(o.device);
        targets = targets.to(o.device);
      }
      return { inputs, targets, indices: raw.indices };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    return this.iterate(this.epoch++);
  }

  /**
   * Iterates one given epoch without touching the epoch counter, from batch `fromBatch`
   * on (a run resumed in the middle of an epoch skips what it already trained on).
   */
  async *iterate(epoch: number, fromBatch = 0): AsyncGenerator<Batch> {
    if (!Number.isInteger(fromBatch) || fromBatch < 0) throw new RangeError(`DataLoader.iterate: fromBatch must be a non-negative integer, got ${fromBatch}`);
    const plan = this.batchIndices(epoch);
    const queue: Promise<Batch | null>[] = [];
    let scheduled = fromBatch;
    let stopped = false;
    const scheduleUpTo = (last: number) => {
      while (scheduled <= Math.min(last, plan.length - 1)) {
        const b = scheduled++;
        const p = new Promise<Batch | null>((resolve, reject) => {
          setImmediate(() => {
            if (stopped) return resolve(null);
            try {
              // Outside every scope: whatever scope the consumer has open meanwhile must not free it.
              resolve(untracked(() => this.prepareBatch(plan[b]!, epoch, b)));
            } catch (e) {
              reject(e);
            }
          });
        });
        p.catch(() => undefined); // errors surface when the batch is awaited
        queue.push(p);
      }
    };
    try {
      for (let b = fromBatch; b < plan.length; b++) {
        scheduleUpTo(b + this.prefetch);
        const prepared = await queue.shift()!;
        yield handOver(prepared!);
      }
    } finally {
      // Left early (break, error): skip what is not prepared yet, free what was prepared for nobody.
      stopped = true;
      for (const p of queue) {
        p.then((batch) => { batch?.inputs.dispose(); batch?.targets.dispose(); }, () => undefined);
      }
    }
  }
}

/** The consumer's scope, open where it asked for the batch, takes the batch's tensors. */
function handOver(batch: Batch): Batch {
  adopt(batch.inputs);
  adopt(batch.targets);
  return batch;
}

function applyPairOf(t: Transform, images: Tensor, masks: Tensor, rng: Rng) {
  if (!t.applyPair) throw new Error(`DataLoader: pairTransform ${t.constructor.name} has no applyPair`);
  return t.applyPair(images, masks, rng);
}
