// Loading torchvision's resnet18 state dict (random weights, randomised batch-norm
// statistics, saved by torch.save) into visionlab's resnet18 reproduces torchvision's
// eval-mode logits to 1e-4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resnet18Parity, PARITY_TOLERANCE } from '../../bench/torchvision-parity.js';
import { skipWithout } from '../support/require-reference.js';

test('resnet18 logits match torchvision', async (t) => {
  const missing = skipWithout('torch', 'torchvision');
  if (missing) return t.skip(missing);
  const r = await resnet18Parity({ batch: 2, size: 64, seed: 7 });
  assert.deepEqual(r.missingKeys, []);
  assert.deepEqual(r.unexpectedKeys, []);
  assert.deepEqual(r.logitsShape, [2, 1000]);
  // Logits of this size make the tolerance meaningful (not a comparison of near-zeros).
  assert.ok(r.maxAbsLogit > 0.1, `largest |logit| ${r.maxAbsLogit}`);
  assert.ok(r.maxAbsDiff <= PARITY_TOLERANCE, `max abs diff ${r.maxAbsDiff}`);
});
