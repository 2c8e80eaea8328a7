// LR-ASPP on MobileNetV3-Large: per-pixel logits at the input size for any channels,
// classes and (uneven) input size, from stride-8 'low' and stride-16 'high' features.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randn, tidy, noGrad } from '../../src/torch/index.js';
import { createModel, modelInfo, MobileNetV3LargeBackbone, type LRASPP } from '../../src/models/index.js';

test('lraspp_mobilenet_v3_large: [2, 1, 50, 70] → [2, 5, 50, 70] per-pixel logits', () => {
  const m = createModel('lraspp_mobilenet_v3_large', { numClasses: 5, inChannels: 1 }) as LRASPP;
  assert.deepEqual(tidy(() => noGrad(() => m.eval().call(randn([2, 1, 50, 70])).shape)), [2, 5, 50, 70]);
  assert.equal(modelInfo('lraspp-mobilenet-v3-large').defaultClasses, 21);
});

test('the dilated backbone gives 40 channels at stride 8 and 960 at stride 16', () => {
  const b = new MobileNetV3LargeBackbone(3);
  assert.deepEqual([b.lowIndex, b.highIndex, b.lowChannels, b.highChannels], [4, 16, 40, 960]);
  const shapes = tidy(() => noGrad(() => {
    const { low, high } = b.eval().extract(randn([1, 3, 64, 96]));
    return [low.shape, high.shape];
  }));
  assert.deepEqual(shapes, [[1, 40, 8, 12], [1, 960, 4, 6]]);
});
