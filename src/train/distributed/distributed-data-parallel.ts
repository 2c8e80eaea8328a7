// DistributedDataParallel with PyTorch's semantics: every rank holds a replica; at
// construction rank 0's parameters and buffers overwrite the others'; during backward
// each bucket of gradients is all-reduced as soon as it is complete, overlapping the rest
// of backward; when backward returns every rank holds the gradients averaged over ranks,
// so identical optimizer steps keep the replicas identical. noSync(fn) skips the
// all-reduce for gradient accumulation: the next synchronised backward averages the sum.
import { type Tensor, isGradEnabled } from '../../torch/index.js';
import { type ProcessGroup, GradientReducer, type GradientReducerStats, broadcastCoalesced } from '../../torch/distributed/index.js';
import { Module, type LoadResult } from '../../nn/index.js';
import { assignGradientBuckets } from './gradient-buckets.js';

export interface DistributedDataParallelOptions {
  /** Largest gradient bucket in MiB (PyTorch's bucket_cap_mb). Default 25. */
  bucketCapMB?: number;
  /** Send rank 0's buffers (BatchNorm running statistics) to all ranks before each training forward. Default true. */
  broadcastBuffers?: boolean;
}

export class DistributedDataParallel extends Module {
  readonly bucketCapMB: number;
  readonly broadcastBuffers: boolean;
  private readonly reducer: GradientReducer;
  private syncDisabled = false;

  constructor(readonly module: Module, readonly group: ProcessGroup, opts: DistributedDataParallelOptions = {}) {
    super();
    if (!(module instanceof Module)) throw new TypeError('DistributedDataParallel: module must be a Module');
    this.registerModule('module', module);
    this.bucketCapMB = opts.bucketCapMB ?? 25;
    this.broadcastBuffers = opts.broadcastBuffers ?? true;
    this.training = module.training;
    const params = module.parameters().filter((p) => p.requiresGrad);
    if (params.length === 0) throw new Error('DistributedDataParallel: the module has no parameter that requires grad');
    this.syncFromRankZero([...module.parameters(), ...module.buffers()]);
    this.reducer = new GradientReducer(group, params, assignGradientBuckets(params, this.bucketCapMB));
  }

  private syncFromRankZero(tensors: Tensor[]): void {
    broadcastCoalesced(this.group, tensors, 0);
  }

  override forward(x: Tensor): Tensor {
    if (this.module.training && isGradEnabled()) {
      if (this.broadcastBuffers) this.syncFromRankZero(this.module.buffers());
      if (!this.syncDisabled) this.reducer.prepareForBackward();
    }
    return this.module.call(x);
  }

  /**
   * Runs fn (forwards and backwards) without averaging gradients across ranks; they
   * accumulate locally until the next backward outside noSync, which averages the sum.
   */
  noSync<T>(fn: () => T): T {
    const prev = this.syncDisabled;
    this.syncDisabled = true;
    try {
      const r = fn();
      if (r instanceof Promise) throw new TypeError('DistributedDataParallel.noSync: fn must be synchronous');
      return r;
    } finally {
      this.syncDisabled = prev;
    }
  }

  /** How many buckets were all-reduced during backward (overlapping it) rather than after. */
  communicationStats(): GradientReducerStats { return this.reducer.stats(); }

  // The wrapped model's own names (no 'module.' prefix), so that checkpoints of a
  // distributed run load into the plain model for eval, predict and export.
  override stateDict(): Map<string, Tensor> { return this.module.stateDict(); }
  override loadStateDict(state: Map<string, Tensor> | Record<string, Tensor>, strict = true): LoadResult {
    return this.module.loadStateDict(state, strict);
  }
}
