// Process groups (c10d): rendezvous and collectives for data-parallel training.
export { ProcessGroup, Work, initProcessGroup, ncclAvailable, type Backend, type ReduceOp, type InitProcessGroupOptions } from './process-group.js';
export { GradientReducer, type GradientReducerStats } from './gradient-reducer.js';
export { broadcastCoalesced } from './coalesced.js';
