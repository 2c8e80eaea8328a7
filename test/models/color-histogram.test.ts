// Colour-histogram features (values checked by hand) and the logistic-regression
// baseline separating colour-defined classes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, tidy, keep, randint, randn, manualSeed, type Tensor } from '../../src/torch/index.js';
import { colorHistogramFeatures, LogisticRegression } from '../../src/models/index.js';

test('per-channel histograms, normalised per channel', () => {
  // Two 2×2 RGB images; with 4 bins each bin spans 64 intensities.
  const images = tensor(new Uint8Array([
    0, 63, 64, 255, /* R */ 128, 128, 128, 128, /* G */ 10, 200, 130, 70, /* B */
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
  ]), { shape: [2, 3, 2, 2] });
  const f = colorHistogramFeatures(images, 4);
  assert.equal(f.dtype, 'float32');
  assert.deepEqual(f.toArray(), [
    [0.5, 0.25, 0, 0.25, 0, 0, 1, 0, 0.25, 0.25, 0.25, 0.25],
    [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1],
  ]);
});

test('colorHistogramFeatures names bad input', () => {
  assert.throws(() => colorHistogramFeatures(randn([1, 3, 2, 2]), 4), /expected uint8 images/);
  assert.throws(() => colorHistogramFeatures(tensor(new Uint8Array(12), { shape: [3, 2, 2] }), 4), /\[N, C, H, W\], got shape \[3, 2, 2\]/);
  assert.throws(() => colorHistogramFeatures(tensor(new Uint8Array(12), { shape: [1, 3, 2, 2] }), 3), /bins must divide 256/);
});

/** Class k's images have channel k brighter on average; pixel noise hides it in any single pixel. */
function colourSet(n: number, seed: number): { images: Tensor; labels: Tensor } {
  manualSeed(seed);
  return tidy(() => {
    const labels = randint(0, 3, [n]);
    const boost = labels.reshape(n, 1).eq(tensor([[0, 1, 2]], { dtype: 'int64' })).float().mul(50).reshape(n, 3, 1, 1);
    const images = randn([n, 3, 8, 8]).mul(40).add(100).add(boost).clamp(0, 255).to('uint8');
    return { images: keep(images), labels: keep(labels) };
  });
}

test('logistic regression on colour histograms separates colour classes (chance 33%)', () => {
  const train = colourSet(300, 1);
  const held = colourSet(150, 2);
  const model = new LogisticRegression(3 * 16, 3);
  const xTrain = colorHistogramFeatures(train.images, 16);
  const losses = model.fit(xTrain, train.labels, { epochs: 150, lr: 0.05 });
  assert.ok(losses.at(-1)! < 0.5 * losses[0]!, `loss should fall: first ${losses[0]}, last ${losses.at(-1)}`);
  const pred = model.predict(colorHistogramFeatures(held.images, 16));
  const acc = pred.eq(held.labels).float().mean().item();
  assert.ok(acc >= 0.9, `held-out accuracy ${acc}`);
  // Mini-batches reach the same place.
  const mb = new LogisticRegression(3 * 16, 3);
  mb.fit(xTrain, train.labels, { epochs: 30, lr: 0.05, batchSize: 32, seed: 0 });
  const accMb = mb.predict(colorHistogramFeatures(held.images, 16)).eq(held.labels).float().mean().item();
  assert.ok(accMb >= 0.9, `mini-batch held-out accuracy ${accMb}`);
});

test('LogisticRegression names bad input', () => {
  const model = new LogisticRegression(4, 2);
  assert.throws(() => model.fit(randn([5, 3]), tensor([0, 1, 0, 1, 0], { dtype: 'int64' })), /expected features \[N, 4\], got shape \[5, 3\]/);
  assert.throws(() => model.fit(randn([5, 4]), tensor([0, 1, 0, 1], { dtype: 'int64' })), /expected integer labels \[5\]/);
  assert.throws(() => new LogisticRegression(4, 1), /at least 2 classes/);
});
