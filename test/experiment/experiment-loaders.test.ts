// The loaders of a data-parallel run: every rank reads its own shard of the epoch (the
// shards agree on one permutation and together cover it) and draws its own noise and
// augmentation, so batch b of two ranks never shares its noise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';
import { TensorDataset } from '../../src/data/index.js';
import type { ProcessGroup } from '../../src/torch/distributed/index.js';
import { validateConfig, type ExperimentData } from '../../src/experiment/index.js';
import { experimentLoaders } from '../../src/experiment/experiment-loaders.js';

test('data-parallel loaders: disjoint shards of one permutation, and noise of its own on each rank', () => {
  T.manualSeed(0);
  const images = T.rand([32, 1, 8, 8]);
  const ds = new TensorDataset(images, T.zeros([32]), ['image']);
  const data: ExperimentData = { train: ds, test: ds, classNames: ['image'], imageShape: [1, 8, 8] };
  const cfg = validateConfig({
    name: 'ddp-loaders', seed: 3, dataset: { kind: 'npy', root: '/nonexistent' }, task: 'denoise',
    noise: { kind: 'gaussian', std: 0.2 }, model: { name: 'unet-denoiser', widths: [4, 8] },
    optimizer: { name: 'adam', lr: 0.01 }, epochs: 1, batchSize: 8,
  });
  // experimentLoaders reads only the rank and the world size of the group.
  const group = (rank: number) => ({ rank, worldSize: 2 }) as unknown as ProcessGroup;
  const loaders = [0, 1].map((r) => experimentLoaders(cfg, data, null, group(r)).train);
  assert.deepEqual(loaders.map((l) => l.batchSize), [4, 4], 'the global batch of 8 is split over 2 ranks');

  const shards = loaders.map((l) => [...l.sampler.indices(0)]);
  assert.equal(new Set([...shards[0]!, ...shards[1]!]).size, 32, 'the two shards cover the epoch without overlap');

  // The same image through batch 0 of each rank's loader: the clean targets agree, the noise must not.
  const noiseOf = (r: number) => {
    const b = loaders[r]!.prepareBatch(Int32Array.of(5), 0, 0);
    const noise = b.inputs.sub(b.targets).toFlatArray();
    b.inputs.dispose();
    b.targets.dispose();
    return noise;
  };
  const [n0, n1] = [noiseOf(0), noiseOf(1)];
  const differing = n0.filter((v, i) => Math.abs(v - n1[i]!) > 1e-6).length;
  assert.ok(differing > 0.9 * n0.length, `rank 0 and rank 1 drew the same noise for batch 0 (${differing} of ${n0.length} values differ)`);
});
