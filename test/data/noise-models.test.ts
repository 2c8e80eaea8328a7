// Noise models for denoising: the statistics of each corruption, seeding, clipping, eval
// mode, and the loader's (noisy, clean) pairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { DataLoader } from '../../src/data/loader.js';
import {
  AdditiveGaussianNoise, SaltAndPepperNoise, PoissonNoise, RandomMasking, Rng, Resize,
} from '../../src/data/transforms/index.js';

const near = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tolerance ${tol})`);
const grey = (v: number, n = 8, c = 1, s = 32) => T.full([n, c, s, s], v);

test('Gaussian noise: the mean and std asked for; clipping keeps [0, 1]; the same seed gives the same noise', () => {
  const x = grey(0.5);
  const noisy = new AdditiveGaussianNoise(0.2, { seed: 1 }).apply(x);
  const d = noisy.sub(x);
  near(d.mean().item(), 0, 0.01, 'mean');
  near(d.std().item(), 0.2, 0.005, 'std');
  assert.deepEqual(new AdditiveGaussianNoise(0.2, { seed: 1 }).apply(x).toFlatArray(), noisy.toFlatArray());
  assert.notDeepEqual(new AdditiveGaussianNoise(0.2, { seed: 2 }).apply(x).toFlatArray(), noisy.toFlatArray());
  const clipped = new AdditiveGaussianNoise(0.3, { seed: 1, clip: true }).apply(grey(0.1));
  assert.ok(clipped.min().item() >= 0 && clipped.max().item() <= 1);
  // Clipping at 0 shifts a dark image's mean up: the reason a denoiser must learn it.
  assert.ok(clipped.mean().item() > 0.13, `clipped mean ${clipped.mean().item()}`);
  // Eval mode corrupts too (a denoiser is evaluated on noisy inputs).
  const g = new AdditiveGaussianNoise(0.2, { seed: 1 });
  g.eval();
  assert.deepEqual(g.apply(x).toFlatArray(), noisy.toFlatArray());
  assert.throws(() => new AdditiveGaussianNoise(-1), /std must be a non-negative number or a range \[low, high\], got -1/);
  assert.throws(() => new AdditiveGaussianNoise([0.5, 0.1]), /got \[0.5,0.1\]/);
  assert.throws(() => new AdditiveGaussianNoise(0.1, { clip: [1, 0] }), /clip must be true, false or \[min, max\]/);
});

test('blind Gaussian noise: each image gets its own std, spread over the range', () => {
  const x = grey(0.5, 64, 1, 24);
  const d = new AdditiveGaussianNoise([0.05, 0.45], { seed: 3 }).apply(x).sub(x);
  const stds = d.reshape([64, -1]).std(1).toFlatArray();
  for (const s of stds) assert.ok(s > 0.04 && s < 0.47, `std ${s}`);
  near(stds.reduce((a, b) => a + b, 0) / 64, 0.25, 0.05, 'mean std');
  assert.ok(Math.min(...stds) < 0.12 && Math.max(...stds) > 0.38, 'the range is covered');
});

test('salt and pepper: the share of values set to 1 and to 0', () => {
  const x = grey(0.5, 4, 3);
  const y = new SaltAndPepperNoise(0.2, { seed: 4, saltVsPepper: 0.25 }).apply(x);
  const total = x.numel();
  const salt = y.eq(1).sum().item() / total;
  const pepper = y.eq(0).sum().item() / total;
  near(salt, 0.05, 0.01, 'salt');
  near(pepper, 0.15, 0.01, 'pepper');
  near(y.eq(0.5).sum().item() / total, 0.8, 0.01, 'untouched');
  assert.throws(() => new SaltAndPepperNoise(1.5), /SaltAndPepperNoise: amount must be in \[0, 1\], got 1.5/);
});

test('Poisson noise keeps the mean and has variance x / peak', () => {
  const peak = 30;
  for (const v of [0.2, 0.8]) {
    const y = new PoissonNoise(peak, { seed: 5 }).apply(grey(v, 16));
    near(y.mean().item(), v, 0.01, `mean at ${v}`);
    near(y.var().item(), v / peak, 0.15 * v / peak, `variance at ${v}`);
    // Values are counts / peak.
    const counts = y.mul(peak);
    assert.ok(counts.sub(counts.round()).abs().max().item() < 1e-4);
  }
  assert.throws(() => new PoissonNoise(0), /PoissonNoise: peak must be a positive number, got 0/);
});

test('random masking drops a share p of pixels, all channels of a pixel together', () => {
  const x = grey(0.5, 8, 3);
  const y = new RandomMasking(0.3, { seed: 6, value: 0 }).apply(x);
  const dropped = y.eq(0);
  near(dropped.float().mean().item(), 0.3, 0.015, 'share');
  const perPixel = dropped.sum(1);
  assert.equal(perPixel.eq(1).sum().item() + perPixel.eq(2).sum().item(), 0, 'channels are dropped together');
});

test('uint8 images stay uint8 through apply; pair() returns float noisy and clean images', () => {
  const u8 = T.full([2, 1, 16, 16], 128, { dtype: 'uint8' });
  const noisy = new AdditiveGaussianNoise(0.1, { seed: 1 }).apply(u8);
  assert.equal(noisy.dtype, 'uint8');
  const p = new AdditiveGaussianNoise(0.1, { seed: 1 }).pair(u8, new Rng(9));
  assert.equal(p.clean.dtype, 'float32');
  near(p.clean.mean().item(), 128 / 255, 1e-6);
  assert.ok(p.noisy.sub(p.clean).abs().max().item() > 0.05);
});

test('the loader makes (noisy, clean) pairs after its transform, the same on every evaluation pass', async () => {
  const images = T.full([10, 1, 8, 8], 100, { dtype: 'uint8' });
  const ds = new TensorDataset(images, T.arange(0, 10), ['x']);
  const loader = new DataLoader(ds, { batchSize: 4, transform: new Resize(12), noise: new AdditiveGaussianNoise(0.2, { seed: 0 }) });
  const first: number[][] = [];
  for await (const b of loader.iterate(0)) {
    assert.deepEqual(b.targets.shape, [b.inputs.shape[0], 1, 12, 12]);
    near(b.targets.mean().item(), 100 / 255, 1e-5);
    near(b.inputs.sub(b.targets).std().item(), 0.2, 0.03);
    first.push(b.inputs.toFlatArray());
    b.inputs.dispose(); b.targets.dispose();
  }
  let i = 0;
  for await (const b of loader.iterate(0)) {
    assert.deepEqual(b.inputs.toFlatArray(), first[i++]);
    b.inputs.dispose(); b.targets.dispose();
  }
});
