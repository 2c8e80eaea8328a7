// Value transforms: float conversion, normalisation, noise, colour jitter, erasing; and eval mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, tensor, zeros, ones, rand, randn, manualSeed, tidy, ops, type Tensor } from '../../src/torch/index.js';
import { TensorDataset } from '../../src/data/dataset.js';
import {
  ToFloat, toFloat, Normalize, computeMeanStd, GaussianNoise, ColorJitter, adjustContrast, adjustSaturation,
  RandomErasing, Cutout, RandomCrop, RandomHorizontalFlip, compose, Rng, seededRandn,
} from '../../src/data/transforms/index.js';

function close(actual: number[], expected: number[], atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= atol, `${what}[${i}]: ${v} vs ${expected[i]}`));
}

test('ToFloat maps uint8 0..255 to float32 0..1', () => tidy(() => {
  const x = tensor(Uint8Array.from([0, 51, 255, 128]), { shape: [1, 1, 2, 2] });
  const y = new ToFloat().apply(x);
  assert.equal(y.dtype, 'float32');
  close(y.toFlatArray(), [0, 0.2, 1, 128 / 255], 1e-7, 'toFloat');
  assert.equal(toFloat(y), y);
}));

test('computeMeanStd matches a direct computation and Normalize then gives mean 0, std 1', () => tidy(() => {
  manualSeed(5);
  const images = rand([300, 3, 6, 6]).mul(tensor([200, 120, 60], { shape: [1, 3, 1, 1] })).add(tensor([20, 100, 0], { shape: [1, 3, 1, 1] })).to('uint8');
  const ds = new TensorDataset(images, zeros([300], { dtype: 'int64' }), ['a']);
  const { mean, std } = computeMeanStd(ds, { batchSize: 64 });
  const x = images.double().div(255);
  close(mean, x.mean([0, 2, 3]).toFlatArray(), 1e-9, 'mean');
  close(std, x.std([0, 2, 3], false, 0).toFlatArray(), 1e-9, 'std');
  const y = new Normalize(mean, std).apply(images);
  assert.equal(y.dtype, 'float32');
  close(y.mean([0, 2, 3]).toFlatArray(), [0, 0, 0], 1e-4, 'normalised mean');
  close(y.std([0, 2, 3], false, 0).toFlatArray(), [1, 1, 1], 1e-4, 'normalised std');
  assert.throws(() => new Normalize([0.5, 0.5], [1, 1]).apply(images), /mean has 2 values but the images have 3 channels/);
}));

test('GaussianNoise adds noise of the asked std, reproducibly, without touching the global stream', () => tidy(() => {
  const x = zeros([64, 3, 32, 32]);
  const y = new GaussianNoise(0.1, { seed: 1 }).apply(x);
  const std = y.std().item();
  const mean = y.mean().item();
  assert.ok(Math.abs(std - 0.1) < 0.002, `std ${std}`);
  assert.ok(Math.abs(mean) < 0.002, `mean ${mean}`);
  assert.ok(new GaussianNoise(0.1, { seed: 1 }).apply(x).eq(y).all().item(), 'same seed, same noise');
  assert.ok(!new GaussianNoise(0.1, { seed: 2 }).apply(x).eq(y).all().item(), 'different seed, different noise');
  manualSeed(42);
  const expected = rand([4]).toFlatArray();
  manualSeed(42);
  new GaussianNoise(0.5).apply(x);
  assert.deepEqual(rand([4]).toFlatArray(), expected, 'the process-wide generator moved');
  // uint8 stays uint8 (noise on the [0, 1] scale).
  assert.equal(new GaussianNoise(0.05).apply(ones([2, 1, 4, 4], { dtype: 'uint8' }).mul(100).to('uint8')).dtype, 'uint8');
}));

test('seededRandn draws what manualSeed(seed) then randn draws, and leaves the global stream alone', () => tidy(() => {
  manualSeed(1234);
  const a = randn([6]).toFlatArray();
  const next = randn([3]).toFlatArray();
  manualSeed(1234);
  const b = seededRandn(1234, [6]).toFlatArray();
  assert.deepEqual(b, a, 'a Generator seeded with s starts where the default generator seeded with s starts');
  assert.deepEqual(seededRandn(1234, [6]).toFlatArray(), a, 'same seed, same values');
  assert.notDeepEqual(seededRandn(1235, [6]).toFlatArray(), a, 'another seed, other values');
  // The default generator was seeded with 1234 above and seededRandn did not advance it.
  randn([6]);
  assert.deepEqual(randn([3]).toFlatArray(), next);
}));

test('colour adjustments match torchvision', () => tidy(() => {
  const img = arange(0, 24).reshape(2, 3, 2, 2).float().div(24);
  // torchvision 0.14: F.adjust_contrast(img, 0.5) and F.adjust_saturation(img, 1.7) on this image.
  close(adjustContrast(img, tensor([0.5, 0.5], { shape: [2, 1, 1, 1] })).toFlatArray(),
    [0.09916, 0.12, 0.14083, 0.16166, 0.1825, 0.20333, 0.22416, 0.245, 0.26583, 0.28666, 0.3075, 0.32833,
      0.59914, 0.61997, 0.64081, 0.66164, 0.68247, 0.70331, 0.72414, 0.74497, 0.76581, 0.78664, 0.80747, 0.82831], 2e-5, 'contrast');
  close(adjustSaturation(img, tensor([1.7, 1.7], { shape: [2, 1, 1, 1] })).toFlatArray(),
    [0.0, 0.0, 0.0, 0.02993, 0.18825, 0.22992, 0.27159, 0.31326, 0.47158, 0.51325, 0.55492, 0.59659,
      0.40495, 0.44662, 0.48829, 0.52996, 0.68829, 0.72995, 0.77162, 0.81329, 0.97162, 1.0, 1.0, 1.0], 2e-5, 'saturation');
  const bright = new ColorJitter({ brightness: [2, 2] }).apply(img);
  close(bright.toFlatArray(), img.mul(2).clamp(0, 1).toFlatArray(), 1e-6, 'brightness x2');
  const jittered = new ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, seed: 3 }).apply(rand([8, 3, 5, 5]));
  assert.ok(jittered.min().item() >= 0 && jittered.max().item() <= 1);
}));

test('RandomErasing blanks one box per chosen sample, of the asked area range', () => tidy(() => {
  const x = ones([50, 3, 20, 20]);
  const y = new RandomErasing({ p: 1, scale: [0.05, 0.2], seed: 7 }).apply(x);
  const zerosPerSample = y.eq(0).sum([1, 2, 3]).toFlatArray().map((v) => v / 3);
  for (const z of zerosPerSample) assert.ok(z >= 0.04 * 400 && z <= 0.22 * 400, `erased ${z} of 400 pixels`);
  // Every channel is erased at the same place.
  assert.ok(y.select(1, 0).eq(y.select(1, 2)).all().item());
  const none = new RandomErasing({ p: 0 }).apply(x);
  assert.ok(none.eq(x).all().item());
  const perChannel = new RandomErasing({ p: 1, value: [0.25, 0.5, 0.75], seed: 1 }).apply(x);
  assert.deepEqual(perChannel.select(1, 1).lt(1).sum().item() > 0, true);
  assert.ok(perChannel.select(1, 1).eq(0.5).logicalOr(perChannel.select(1, 1).eq(1)).all().item());
  const noisy = new RandomErasing({ p: 1, value: 'random', seed: 1 }).apply(x);
  assert.ok(noisy.ne(1).sum().item() > 0);
  assert.throws(() => new RandomErasing({ value: 'random' }).apply(ones([1, 1, 4, 4], { dtype: 'uint8' })), /needs float images/);
}));

test('Cutout blanks a square of at most size² pixels, clipped at the border', () => tidy(() => {
  const x = ones([40, 1, 12, 12]);
  const y = new Cutout(4, { seed: 5 }).apply(x);
  const counts = y.eq(0).sum([1, 2, 3]).toFlatArray();
  for (const c of counts) assert.ok(c >= 4 && c <= 16, `cut ${c} pixels`);
  assert.ok(counts.some((c) => c === 16) && counts.some((c) => c < 16), 'expected inner and clipped squares');
}));

test('eval() turns a pipeline into its deterministic test-time version', () => tidy(() => {
  const x = rand([4, 3, 8, 8]);
  const pipeline = compose([new RandomCrop(8, { padding: 2 }), new RandomHorizontalFlip(), new ColorJitter({ brightness: 0.5 }),
    new GaussianNoise(0.1), new RandomErasing({ p: 1 }), new Normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])]);
  const expected = x.sub(0.5).div(0.25);
  pipeline.eval();
  assert.equal(pipeline.training, false);
  close(pipeline.apply(x).toFlatArray(), expected.toFlatArray(), 1e-6, 'eval pipeline');
  close(pipeline.apply(x, new Rng(99)).toFlatArray(), expected.toFlatArray(), 1e-6, 'eval pipeline, other rng');
  pipeline.train();
  assert.ok(!ops.allclose(pipeline.apply(x), expected, 1e-5, 1e-6));
}));

test('a plain { apply } object composes with the built-in transforms', () => tidy(() => {
  const double = { apply: (x: Tensor) => x.mul(2) };
  const t = compose([new ToFloat(), double, new Normalize(1, 0.5)]);
  const x = tensor(Uint8Array.from([0, 255, 51]), { shape: [1, 1, 1, 3] });
  close(t.apply(x).toFlatArray(), [-2, 2, -1.2], 1e-6, 'composed');
  t.eval();
  assert.throws(() => t.applyPair(x.float(), tensor([[[0, 1, 2]]], { dtype: 'int64' })), /is not photometric and cannot move masks/);
}));
