// Process-wide engine settings: random seed and state, CPU threads, devices.
import os from 'node:os';
import { native as N } from './native.js';
import { Tensor, wrap } from './tensor.js';

/** Seeds libtorch's CPU (and CUDA) generators. */
export function manualSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`manualSeed: seed must be a non-negative integer, got ${seed}`);
  N.manualSeed(seed);
}
/** The CPU generator's state as a uint8 tensor (for checkpoints that resume exactly). */
export function getRngState(): Tensor { return wrap(N.getRngState()); }
export function setRngState(state: Tensor): void { N.setRngState(state.h); }

export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
  N.setNumThreads(n);
}
export function getNumThreads(): number { return N.getNumThreads(); }

/**
 * Deterministic algorithms (torch.use_deterministic_algorithms): operators without a
 * deterministic kernel throw, and cuDNN's autotuner is off. On CPU almost every kernel is
 * deterministic already, so this costs nothing there; on CUDA it gives up the fastest
 * atomics-based kernels.
 */
export function useDeterministicAlgorithms(on: boolean): void {
  if (typeof on !== 'boolean') throw new TypeError(`useDeterministicAlgorithms: expected a boolean, got ${typeof on}`);
  N.setDeterministic(on);
}
export function deterministicAlgorithmsEnabled(): boolean { return N.getDeterministic(); }

export function cudaIsAvailable(): boolean { return N.cudaDeviceCount() > 0; }
export function cudaDeviceCount(): number { return N.cudaDeviceCount(); }
/** 'cuda' when libtorch was built with CUDA and a GPU is present, else 'cpu'. */
export function defaultDevice(): string { return cudaIsAvailable() ? 'cuda' : 'cpu'; }
export function libtorchVersion(): string { return N.version(); }
/** Tensor handles not yet disposed or collected: a leak check for loops and tests. */
export function liveTensorCount(): number { return N.liveHandles(); }

/** The one environment variable that sets libtorch's CPU thread count at start-up. */
export const NUM_THREADS_ENV = 'VISIONLAB_NUM_THREADS';

// Some libtorch builds start with one OpenMP thread; use every core, as the docs promise,
// unless VISIONLAB_NUM_THREADS says otherwise. A bad value is reported, not ignored silently.
function threadsFromEnv(): number {
  const raw = process.env[NUM_THREADS_ENV];
  if (raw === undefined || raw === '') return os.availableParallelism();
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 1) return n;
  process.emitWarning(`${NUM_THREADS_ENV}='${raw}' is not a positive integer; using ${os.availableParallelism()} threads`);
  return os.availableParallelism();
}
const wanted = threadsFromEnv();
if (N.getNumThreads() !== wanted) N.setNumThreads(wanted);
