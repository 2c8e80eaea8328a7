// The scene CNN and the AlexNet-style CNN learn a generated orientation task. The scene
// CNN runs with narrower blocks at 32 px to keep the test fast; its structure (12 convs,
// 4 pools, global pooling) is the same as at full width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sceneCnn, alexnetLike } from '../../src/models/index.js';
import { stripes } from './synthetic.js';
import { fit, accuracy } from './fit.js';

const task = { classes: 3, channels: 3, size: 32 };

test('alexnet-like learns stripe orientations at 32×32×3 (3 classes, chance 33%)', () => {
  const train = stripes({ ...task, n: 240, seed: 11 });
  const held = stripes({ ...task, n: 150, seed: 12 });
  const model = alexnetLike({ numClasses: 3 });
  const losses = fit(model, train, { epochs: 6, batchSize: 32, lr: 5e-4 });
  assert.ok(losses.at(-1)! < 0.5 * losses[0]!, `loss should fall: ${losses.join(', ')}`);
  const acc = accuracy(model, held);
  assert.ok(acc >= 0.85, `held-out accuracy ${acc}`);
});

test('scene CNN learns stripe orientations (3 classes, chance 33%)', () => {
  const train = stripes({ ...task, n: 240, seed: 13 });
  const held = stripes({ ...task, n: 150, seed: 14 });
  const model = sceneCnn({ numClasses: 3, inputSize: 32, widths: [8, 16, 32, 32] });
  fit(model, train, { epochs: 4, batchSize: 32, lr: 3e-3 });
  const acc = accuracy(model, held);
  assert.ok(acc >= 0.85, `held-out accuracy ${acc}`);
});
