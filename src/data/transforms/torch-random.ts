// Per-pixel random values (Gaussian noise, random erasing fill) come from libtorch, since
// drawing millions of numbers in JS would be a per-pixel loop. They are drawn from a
// Generator of their own, seeded with a number the transform drew from its Rng, so the
// same seed gives the same pixels and the process-wide stream (model init, dropout) is
// neither read nor disturbed.
import { type Tensor, Generator, randn, rand, ops } from '../../torch/index.js';

/** Standard-normal noise of a shape, reproducible from seed (drawn on the CPU, then moved to device). */
export function seededRandn(seed: number, shape: number[], device = 'cpu'): Tensor {
  return drawnOnCpu(seed, device, (generator) => randn(shape, { generator }));
}

/** Uniform values in [0, 1) of a shape, reproducible from seed. */
export function seededRand(seed: number, shape: number[], device = 'cpu'): Tensor {
  return drawnOnCpu(seed, device, (generator) => rand(shape, { generator }));
}

/** Poisson counts with the given rates (any float tensor), reproducible from seed. */
export function seededPoisson(seed: number, rates: Tensor): Tensor {
  const device = rates.device;
  return drawnOnCpu(seed, device, (generator) => ops.poisson(device === 'cpu' ? rates : rates.to('cpu'), generator));
}

function drawnOnCpu(seed: number, device: string, draw: (gen: Generator) => Tensor): Tensor {
  // Drawn on the CPU whatever the device, so that a seed means the same noise everywhere.
  const gen = new Generator(seed >>> 0);
  try {
    const values = draw(gen);
    if (device === 'cpu') return values;
    const moved = values.to(device);
    values.dispose();
    return moved;
  } finally {
    gen.dispose();
  }
}
