// Samplers draw from libtorch Generators seeded with (seed, epoch): reproducible per
// epoch, independent of the process-wide stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, rand, tidy, liveTensorCount, liveGeneratorCount } from '../../src/torch/index.js';
import { RandomSampler, WeightedRandomSampler, ClassBalancedSampler } from '../../src/data/samplers.js';

const arr = (a: Int32Array) => Array.from(a);

test('RandomSampler: reproducible per (seed, epoch), whatever was drawn before or elsewhere', () => {
  const a = new RandomSampler(1000, { seed: 5 });
  const e0 = arr(a.indices(0));
  const e1 = arr(a.indices(1));
  manualSeed(999);
  rand([10]);
  const b = new RandomSampler(1000, { seed: 5 });
  assert.deepEqual(arr(b.indices(1)), e1, 'epoch 1 alone equals epoch 1 after epoch 0 (resumed runs)');
  assert.deepEqual(arr(b.indices(0)), e0);
  assert.notDeepEqual(arr(new RandomSampler(1000, { seed: 6 }).indices(0)), e0);
  assert.deepEqual([...e0].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  // A shuffle, not a near-identity: few fixed points.
  assert.ok(e0.filter((v, i) => v === i).length < 10);
  assert.deepEqual(arr(new RandomSampler(0).indices(0)), []);
});

test('samplers leave the default generator alone and free what they allocate', () => {
  manualSeed(21);
  const expected = tidy(() => rand([4]).toFlatArray());
  manualSeed(21);
  const tensors = liveTensorCount();
  const gens = liveGeneratorCount();
  new RandomSampler(50, { seed: 1 }).indices(3);
  new WeightedRandomSampler([1, 2, 3], 10, { seed: 1 }).indices(3);
  assert.equal(liveTensorCount(), tensors);
  assert.equal(liveGeneratorCount(), gens);
  assert.deepEqual(tidy(() => rand([4]).toFlatArray()), expected);
});

test('WeightedRandomSampler: reproducible, varies by epoch, without replacement never repeats', () => {
  const s = new WeightedRandomSampler([1, 2, 3, 4, 0, 5], 50, { seed: 9 });
  assert.deepEqual(arr(s.indices(2)), arr(new WeightedRandomSampler([1, 2, 3, 4, 0, 5], 50, { seed: 9 }).indices(2)));
  assert.notDeepEqual(arr(s.indices(2)), arr(s.indices(3)));
  assert.ok(!arr(s.indices(0)).includes(4), 'zero weight never drawn');
  for (let epoch = 0; epoch < 20; epoch++) {
    const drawn = arr(new WeightedRandomSampler([1, 1, 100, 1, 0, 1], 5, { replacement: false, seed: 4 }).indices(epoch));
    assert.deepEqual([...drawn].sort(), [0, 1, 2, 3, 5]);
  }
  // The heaviest index comes first most of the time without replacement.
  let first = 0;
  for (let epoch = 0; epoch < 200; epoch++) if (new WeightedRandomSampler([1, 1, 100, 1], 2, { replacement: false }).indices(epoch)[0] === 2) first++;
  assert.ok(first > 180, `heaviest drawn first ${first}/200`);
  const cb = new ClassBalancedSampler([0, 0, 0, 1], { seed: 1, numSamples: 4000 });
  const ones = arr(cb.indices(0)).filter((i) => i === 3).length;
  assert.ok(Math.abs(ones / 4000 - 0.5) < 0.04, `minority share ${ones / 4000}`);
});
