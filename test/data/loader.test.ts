// DataLoader and samplers: coverage, batching, determinism, prefetching, ownership.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, tidy, tidyAsync, liveTensorCount, type Tensor } from '../../src/torch/index.js';
import { TensorDataset, type Batch, type Dataset } from '../../src/data/dataset.js';
import { DataLoader } from '../../src/data/loader.js';
import { SequentialSampler, RandomSampler, ClassBalancedSampler, WeightedRandomSampler } from '../../src/data/samplers.js';
import { compose, RandomCrop, RandomHorizontalFlip, GaussianNoise, Normalize } from '../../src/data/transforms/index.js';

/** n images 1×4×4 whose pixels all equal i % 256, and targets i. */
function indexedDataset(n: number): TensorDataset {
  const images = arange(0, n).remainder(256).to('uint8').reshape(n, 1, 1, 1).expand(n, 1, 4, 4).contiguous();
  return tidy(() => new TensorDataset(images, arange(0, n), ['only']));
}

async function collect(loader: AsyncIterable<Batch>): Promise<{ indices: number[][]; targets: number[][]; pixels: number[][]; inputs: Tensor[] }> {
  const out = { indices: [] as number[][], targets: [] as number[][], pixels: [] as number[][], inputs: [] as Tensor[] };
  for await (const b of loader) {
    out.indices.push(Array.from(b.indices));
    out.targets.push(b.targets.toFlatArray());
    out.pixels.push(b.inputs.select(1, 0).select(1, 0).select(1, 0).toFlatArray());
    out.inputs.push(b.inputs);
    b.targets.dispose();
  }
  return out;
}

test('a shuffled epoch visits every sample exactly once, with matching targets and images', async () => {
  const ds = indexedDataset(103);
  const loader = new DataLoader(ds, { batchSize: 10, shuffle: true, seed: 1 });
  assert.equal(loader.length, 11);
  const { indices, targets, pixels, inputs } = await collect(loader);
  assert.deepEqual(indices.map((b) => b.length), [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
  const flat = indices.flat();
  assert.deepEqual([...flat].sort((a, b) => a - b), Array.from({ length: 103 }, (_, i) => i));
  assert.notDeepEqual(flat, Array.from({ length: 103 }, (_, i) => i), 'not shuffled');
  assert.deepEqual(targets.flat(), flat);
  // Inputs are floats in [0, 1] (uint8 / 255) of the right images.
  assert.equal(inputs[0]!.dtype, 'float32');
  pixels.flat().forEach((p, k) => assert.ok(Math.abs(p - (flat[k]! % 256) / 255) < 1e-6));
  for (const t of inputs) t.dispose();
});

test('dropLast drops the partial batch; sequential order without shuffle', async () => {
  const ds = indexedDataset(25);
  const loader = new DataLoader(ds, { batchSize: 8, dropLast: true });
  assert.equal(loader.length, 3);
  const { indices } = await collect(loader);
  assert.deepEqual(indices, [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14, 15], [16, 17, 18, 19, 20, 21, 22, 23]]);
  assert.equal(new DataLoader(ds, { batchSize: 8 }).length, 4);
  assert.equal(new DataLoader(ds, { batchSize: 50 }).length, 1);
});

test('epochs reshuffle deterministically from (seed, epoch)', async () => {
  const ds = indexedDataset(40);
  const a = new DataLoader(ds, { batchSize: 40, shuffle: true, seed: 7 });
  const e0 = (await collect(a)).indices[0]!;
  const e1 = (await collect(a)).indices[0]!;
  assert.notDeepEqual(e0, e1, 'epoch 1 has the order of epoch 0');
  const b = new DataLoader(ds, { batchSize: 40, shuffle: true, seed: 7 });
  assert.deepEqual((await collect(b)).indices[0], e0);
  b.setEpoch(1);
  assert.deepEqual((await collect(b)).indices[0], e1);
  const c = new DataLoader(ds, { batchSize: 40, shuffle: true, seed: 8 });
  assert.notDeepEqual((await collect(c)).indices[0], e0);
});

test('augmented batches are identical for the same seed whatever the prefetch depth', async () => {
  const images = tidy(() => arange(0, 64 * 3 * 8 * 8).remainder(251).reshape(64, 3, 8, 8).to('uint8'));
  const ds = new TensorDataset(images, arange(0, 64), ['x']);
  const transform = () => compose([new RandomCrop(8, { padding: 2 }), new RandomHorizontalFlip(), new GaussianNoise(0.05), new Normalize(0.5, 0.25)]);
  const run = async (seed: number, prefetch: number) => (await collect(new DataLoader(ds, { batchSize: 16, shuffle: true, seed, prefetch, transform: transform() }))).inputs;
  const a = await run(3, 0);
  const b = await run(3, 4);
  const c = await run(4, 2);
  assert.equal(a.length, 4);
  a.forEach((t, i) => assert.ok(t.eq(b[i]!).all().item(), `batch ${i} differs with prefetch`));
  assert.ok(!a[0]!.eq(c[0]!).all().item(), 'another seed gave the same batch');
  for (const t of [...a, ...b, ...c]) t.dispose();
});

test('prefetching prepares the next batches while the consumer awaits', async () => {
  const ds = indexedDataset(50);
  let prepared = 0;
  const counting: Dataset = {
    length: ds.length, classNames: ds.classNames, imageShape: ds.imageShape,
    getBatch: (idx) => { prepared++; return ds.getBatch(idx); },
  };
  const loader = new DataLoader(counting, { batchSize: 5, prefetch: 3 });
  const seen: number[] = [];
  for await (const b of loader) {
    await new Promise((r) => setTimeout(r, 2)); // the consumer awaits (I/O, logging)
    seen.push(prepared);
    b.inputs.dispose();
    b.targets.dispose();
    if (seen.length === 2) break;
  }
  // While batch 0 was consumed, batches 1..3 were prepared in the background.
  assert.ok(seen[0]! >= 4, `only ${seen[0]} batches prepared while consuming batch 0`);
  // Leaving early does not break the loader: the next epoch runs normally.
  const again = await collect(new DataLoader(ds, { batchSize: 25 }));
  assert.deepEqual(again.indices.map((b) => b.length), [25, 25]);
});

test('batches belong to the consumer: tidyAsync around the step frees them, the loader does not', async () => {
  const ds = indexedDataset(30);
  const loader = new DataLoader(ds, { batchSize: 10 });
  const kept: Tensor[] = [];
  for await (const b of loader) kept.push(b.inputs);
  assert.ok(kept.every((t) => !t.isDisposed), 'the loader freed a batch it handed over');
  assert.equal(kept[2]!.shape[0], 10);
  for (const t of kept) t.dispose();
  let inside: Tensor | undefined;
  await tidyAsync(async () => {
    for await (const b of loader) inside = b.inputs;
  });
  assert.ok(inside!.isDisposed, 'a batch received inside tidyAsync outlived its scope');
});

test('a step scope that asks for the next batch does not free the batches prefetched meanwhile', async () => {
  const ds = indexedDataset(60);
  const loader = new DataLoader(ds, { batchSize: 6, prefetch: 3, shuffle: true, seed: 2 });
  const it = loader[Symbol.asyncIterator]();
  const seen: number[] = [];
  // Each step is its own async scope, opened before the batch is requested: the batches
  // prepared while step k awaits belong to step k+1.., not to step k.
  for (;;) {
    const done = await tidyAsync(async () => {
      const r = await it.next();
      if (r.done) return true;
      await new Promise((res) => setTimeout(res, 1));
      seen.push(...r.value.targets.toFlatArray());
      r.value.inputs.mul(2).sum().item();
      return false;
    });
    if (done) break;
  }
  assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => i));
});

test('an epoch consumed inside step scopes leaves no tensor handle behind, even when left early', async () => {
  const ds = indexedDataset(64);
  const transform = compose([new RandomCrop(4, { padding: 1 }), new RandomHorizontalFlip(), new Normalize(0.5, 0.25)]);
  const loader = new DataLoader(ds, { batchSize: 8, shuffle: true, seed: 5, prefetch: 2, transform });
  const epoch = async (stopAfter = Infinity) => {
    let n = 0;
    for await (const b of loader) {
      await tidyAsync(async () => {
        await new Promise((r) => setImmediate(r));
        // The step's scope frees its temporaries; the batch, received outside it, is disposed below.
        b.inputs.mean().item();
        return b.targets.add(1).sum().item();
      });
      b.inputs.dispose();
      b.targets.dispose();
      if (++n >= stopAfter) break;
    }
    // Batches prefetched for nobody are freed once their preparation ends.
    await new Promise((r) => setTimeout(r, 20));
  };
  await epoch(); // warm-up: lazily created handles (generators, caches) are not leaks
  // Handles the garbage collector has not reached yet may be freed meanwhile: the count
  // may only fall.
  const before = liveTensorCount();
  await epoch();
  assert.ok(liveTensorCount() <= before, `a full epoch leaked tensor handles: ${liveTensorCount()} live, ${before} before`);
  await epoch(3);
  assert.ok(liveTensorCount() <= before, `an epoch left early leaked tensor handles: ${liveTensorCount()} live, ${before} before`);
  await tidyAsync(async () => { for await (const b of loader) b.inputs.sum(); });
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(liveTensorCount() <= before, `an epoch consumed inside one tidyAsync leaked tensor handles: ${liveTensorCount()} live, ${before} before`);
});

test('errors of the dataset surface at the await that needs the batch', async () => {
  const broken: Dataset = {
    length: 10, classNames: ['a'], imageShape: [1, 2, 2],
    getBatch: () => { throw new Error('disk on fire'); },
  };
  await assert.rejects(async () => { for await (const _ of new DataLoader(broken, { batchSize: 4 })) void _; }, /disk on fire/);
  assert.throws(() => new DataLoader(indexedDataset(4), { shuffle: true, sampler: new SequentialSampler(4) }), /either shuffle or a sampler/);
  assert.throws(() => new DataLoader(indexedDataset(4), { batchSize: 0 }), /batchSize must be a positive integer/);
});

test('RandomSampler: a permutation per epoch', () => {
  const s = new RandomSampler(20, { seed: 1 });
  const p0 = Array.from(s.indices(0));
  assert.deepEqual([...p0].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
  assert.notDeepEqual(Array.from(s.indices(1)), p0);
  assert.deepEqual(Array.from(new RandomSampler(20, { seed: 1 }).indices(0)), p0);
});

test('ClassBalancedSampler gives roughly equal class counts on imbalanced labels', () => {
  const labels = new Int32Array(3000);
  labels.fill(0, 0, 2700);
  labels.fill(1, 2700, 2970);
  labels.fill(2, 2970, 3000); // 90% / 9% / 1%
  const s = new ClassBalancedSampler(labels, { seed: 2 });
  assert.equal(s.length, 3000);
  const counts = [0, 0, 0];
  for (const i of s.indices(0)) counts[labels[i]!]!++;
  for (const c of counts) assert.ok(c > 900 && c < 1100, `class counts ${counts}`);
  const loader = new DataLoader(indexedDataset(3000), { batchSize: 500, sampler: s });
  assert.equal(loader.length, 6);
});

test('WeightedRandomSampler follows the weights, and never repeats without replacement', () => {
  const w = [1, 0, 3, 6];
  const s = new WeightedRandomSampler(w, 20000, { seed: 3 });
  const counts = [0, 0, 0, 0];
  for (const i of s.indices(0)) counts[i]!++;
  assert.equal(counts[1], 0);
  [0.1, 0, 0.3, 0.6].forEach((p, i) => assert.ok(Math.abs(counts[i]! / 20000 - p) < 0.015, `counts ${counts}`));
  const noRep = new WeightedRandomSampler([5, 1, 0, 2, 2], 4, { replacement: false, seed: 1 }).indices(0);
  assert.deepEqual([...noRep].sort(), [0, 1, 3, 4]);
  assert.throws(() => new WeightedRandomSampler([1, 0, 2], 3, { replacement: false }), /without replacement from 2 indices/);
  assert.throws(() => new WeightedRandomSampler([1, -1], 3), /weights\[1\] must be a finite non-negative number/);
});
