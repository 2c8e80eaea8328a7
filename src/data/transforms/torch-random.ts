// Per-pixel random values (Gaussian noise, random erasing fill) come from libtorch, since
// drawing millions of numbers in JS would be a per-pixel loop. They are drawn from a
// Generator of their own, seeded with a number the transform drew from its Rng, so the
// same seed gives the same pixels and the process-wide stream (model init, dropout) is
// neither read nor disturbed.
import { type Tensor, Generator, randn } from '../../torch/index.js';

/** Standard-normal noise of a shape, reproducible from seed (drawn on the CPU, then moved to device). */
export function seededRandn(seed: number, shape: number[], device = 'cpu'): Tensor {
  // Drawn on the CPU whatever the device, so that a seed means the same noise everywhere.
  const gen = new Generator(seed >>> 0);
  try {
    const noise = randn(shape, { generator: gen });
    if (device === 'cpu') return noise;
    const moved = noise.to(device);
    noise.dispose();
    return moved;
  } finally {
    gen.dispose();
  }
}
