// Data-parallel training on torch/'s process groups: DistributedDataParallel, SyncBatchNorm,
// DistributedSampler, and what fit() and the launcher need for multi-process runs.
export { DistributedDataParallel, type DistributedDataParallelOptions } from './distributed-data-parallel.js';
export { assignGradientBuckets } from './gradient-buckets.js';
export { DistributedSampler, type DistributedSamplerOptions } from './distributed-sampler.js';
export { SyncBatchNorm } from './sync-batch-norm.js';
export { ReduceEpochLogs } from './reduce-epoch-logs.js';
export { launchWorkers, freeTcpPort, WorkerFailedError, type LaunchOptions } from './launcher.js';
