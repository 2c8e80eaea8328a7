// Per-pixel random values (Gaussian noise, random erasing fill) come from libtorch, since
// drawing millions of numbers in JS would be a per-pixel loop. To make them reproducible
// from a transform's own seed without disturbing the process-wide stream (model init,
// dropout), the CPU generator is switched to a state seeded with that seed and restored
// afterwards.
//
// The state is built in JS exactly as libtorch's `set_current_seed` builds it (an
// mt19937 seeded with the 32-bit seed) and loaded with setRngState, rather than by
// calling manualSeed, because manualSeed also reseeds every CUDA generator.
import { type Tensor, tensor, randn, getRngState, setRngState, manualSeed, tidy } from '../../torch/index.js';

// Layout of CPUGeneratorImplState (ATen/CPUGeneratorImpl.cpp): the legacy POD (seed,
// left, seeded, next, uint64 state[624], normal_x/y/rho, normal_is_valid) followed by the
// cached float normal sample and its flag.
const STATE_BYTES = 5056;
const MT_N = 624;

function mt19937StateBytes(seed: number): Uint8Array {
  const bytes = new Uint8Array(STATE_BYTES);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(seed >>> 0), true); // the_initial_seed
  view.setInt32(8, 1, true); // left: the next draw regenerates the block
  view.setInt32(12, 1, true); // seeded
  view.setBigUint64(16, 0n, true); // next
  let s = seed >>> 0;
  for (let j = 0; j < MT_N; j++) {
    if (j > 0) s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + j) >>> 0;
    view.setBigUint64(24 + 8 * j, BigInt(s), true);
  }
  return bytes;
}

let layoutKnown: boolean | null = null;

function canBuildState(): boolean {
  if (layoutKnown === null) {
    const current = getRngState();
    layoutKnown = current.numel() === STATE_BYTES;
    current.dispose();
  }
  return layoutKnown;
}

/**
 * Runs fn (CPU random ops only) with libtorch's CPU generator seeded with `seed`, then
 * restores the generator, so the process-wide random stream is left untouched.
 */
export function withTorchSeed<T>(seed: number, fn: () => T): T {
  const saved = getRngState();
  try {
    if (canBuildState()) {
      tidy(() => setRngState(tensor(mt19937StateBytes(seed))));
    } else {
      // Unknown generator layout (a different libtorch): fall back to manualSeed, which
      // also reseeds CUDA generators.
      manualSeed(seed >>> 0);
    }
    return fn();
  } finally {
    setRngState(saved);
    saved.dispose();
  }
}

/** Standard-normal noise of a shape, reproducible from seed (drawn on the CPU, then moved to device). */
export function seededRandn(seed: number, shape: number[], device = 'cpu'): Tensor {
  const noise = withTorchSeed(seed, () => randn(shape));
  if (device === 'cpu') return noise;
  const moved = noise.to(device);
  noise.dispose();
  return moved;
}
