import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';
import { DistributedSampler, assignGradientBuckets } from '../../src/train/distributed/index.js';

test('DistributedSampler: equal shards that together visit every index once, a new order each epoch', () => {
  const shards = [0, 1, 2].map((rank) => new DistributedSampler(12, { rank, worldSize: 3, seed: 5 }));
  for (const epoch of [0, 1]) {
    const all = shards.flatMap((s) => [...s.indices(epoch)]);
    assert.equal(all.length, 12);
    assert.deepEqual([...all].sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i));
  }
  assert.notDeepEqual([...shards[0]!.indices(0)], [...shards[0]!.indices(1)], 'the order changes with the epoch');
  // The same (seed, epoch) gives the same shard, in any process.
  assert.deepEqual([...shards[1]!.indices(3)], [...new DistributedSampler(12, { rank: 1, worldSize: 3, seed: 5 }).indices(3)]);
});

test('DistributedSampler pads with repeated indices, or drops the tail with dropLast', () => {
  const padded = [0, 1, 2].map((rank) => new DistributedSampler(10, { rank, worldSize: 3, shuffle: false }));
  assert.deepEqual(padded.map((s) => [...s.indices(0)]), [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]);
  const dropped = [0, 1, 2].map((rank) => new DistributedSampler(10, { rank, worldSize: 3, shuffle: false, dropLast: true }));
  assert.deepEqual(dropped.map((s) => [...s.indices(0)]), [[0, 3, 6], [1, 4, 7], [2, 5, 8]]);
  assert.throws(() => new DistributedSampler(10, { rank: 3, worldSize: 3 }), /rank must be an integer in \[0, 2\], got 3/);
  assert.throws(() => new DistributedSampler(10, { rank: 0, worldSize: 0 }), /worldSize must be a positive integer/);
});

test('gradient buckets: reverse order, a small first bucket, then up to the cap, one dtype per bucket', () => {
  const mib = 1024 * 1024 / 4;  // float32 elements in 1 MiB
  const params = [T.zeros([mib]), T.zeros([mib]), T.zeros([mib]), T.zeros([10], { dtype: 'float64' }), T.zeros([mib / 2]), T.zeros([mib / 2])];
  // Backward order: 5, 4 (first bucket, 1 MiB), 3 (float64), 2 and 1 (cap 2 MiB), 0.
  assert.deepEqual(assignGradientBuckets(params, 2), [3, 2, 2, 1, 0, 0]);
  assert.throws(() => assignGradientBuckets(params, 0), /bucketCapMB must be positive/);
});
