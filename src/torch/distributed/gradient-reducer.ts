// The native half of DistributedDataParallel: hooks after each parameter's gradient
// accumulation that all-reduce a bucket as soon as all its gradients exist, and a
// callback at the end of backward that waits and averages. Which parameter goes in which
// bucket is the caller's choice (train/distributed decides it as PyTorch does).
import { native as N, type Handle } from '../native.js';
import { type Tensor, handleOf } from '../tensor.js';
import type { ProcessGroup } from './process-group.js';

export interface GradientReducerStats {
  buckets: number;
  /** Buckets whose all-reduce started inside backward, from a gradient hook. */
  launchedInHooks: number;
  /** Buckets started only when backward ended (their gradients were missing or late). */
  launchedAtEnd: number;
}

export class GradientReducer {
  private readonly h: Handle;
  /**
   * @param params leaf tensors that require grad
   * @param bucketOf bucketOf[i] is params[i]'s bucket; buckets are all-reduced in index order
   */
  constructor(group: ProcessGroup, params: readonly Tensor[], bucketOf: readonly number[]) {
    this.h = N.reducerNew(group.h, params.map(handleOf), [...bucketOf]);
  }
  /** Arms the hooks for the next backward pass; without it, gradients stay local (noSync). */
  prepareForBackward(): void { N.reducerPrepare(this.h); }
  stats(): GradientReducerStats { return N.reducerStats(this.h); }
}
