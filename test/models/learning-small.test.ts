// The small study models learn: each reaches well above chance on held-out samples of
// a generated task within a few epochs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlp, fashionCnn, fashionVgg, noisyLabelCnn, modelPenalty, type FashionVariant } from '../../src/models/index.js';
import { stripes, templates } from './synthetic.js';
import { fit, accuracy } from './fit.js';

test('mlp learns class templates from raw pixels (4 classes, chance 25%)', () => {
  const opts = { classes: 4, channels: 1, size: 28 };
  const train = templates({ ...opts, n: 400, seed: 1 });
  const held = templates({ ...opts, n: 200, seed: 2 });
  const model = mlp({ numClasses: 4 });
  const losses = fit(model, train, { epochs: 5, batchSize: 50, lr: 1e-3 });
  const acc = accuracy(model, held);
  assert.ok(losses.at(-1)! < losses[0]!, `loss should fall: ${losses.join(', ')}`);
  assert.ok(acc >= 0.9, `held-out accuracy ${acc}`);
});

test('noisy-label CNN learns stripe orientations at 32×32×3 (3 classes, chance 33%)', () => {
  const opts = { classes: 3, channels: 3, size: 32 };
  const train = stripes({ ...opts, n: 240, seed: 3 });
  const held = stripes({ ...opts, n: 150, seed: 4 });
  const model = noisyLabelCnn({ numClasses: 3 });
  fit(model, train, { epochs: 3, batchSize: 32, lr: 2e-3 });
  const acc = accuracy(model, held);
  assert.ok(acc >= 0.85, `held-out accuracy ${acc}`);
});

const variants: FashionVariant[] = ['base', 'batchnorm', 'dropout', 'l2', 'l1', 'plus'];
for (const variant of variants) {
  test(`fashion CNN '${variant}' learns stripe orientations at 28×28×1 (3 classes)`, () => {
    const opts = { classes: 3, channels: 1, size: 28 };
    const train = stripes({ ...opts, n: 240, seed: 5 });
    const held = stripes({ ...opts, n: 120, seed: 6 });
    const model = fashionCnn({ variant, numClasses: 3 });
    fit(model, train, { epochs: 4, batchSize: 32, lr: 2e-3, penalty: modelPenalty });
    const acc = accuracy(model, held);
    assert.ok(acc >= 0.85, `${variant}: held-out accuracy ${acc}`);
  });
}

test('fashion VGG learns stripe orientations at 28×28×1 (3 classes)', () => {
  const opts = { classes: 3, channels: 1, size: 28 };
  const train = stripes({ ...opts, n: 240, seed: 5 });
  const held = stripes({ ...opts, n: 120, seed: 6 });
  const model = fashionVgg({ numClasses: 3, widths: [8, 16, 32] });
  fit(model, train, { epochs: 4, batchSize: 32, lr: 2e-3 });
  const acc = accuracy(model, held);
  assert.ok(acc >= 0.85, `held-out accuracy ${acc}`);
});
