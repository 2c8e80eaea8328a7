// DeepLabV3+ on MobileNetV2: output shapes at strides 16 and 8, the atrous backbone keeps
// torchvision's MobileNetV2 parameter names and shapes, ASPP has torchvision's names, and
// the multi-label head pools any backbone's maps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randn, tidy, noGrad, manualSeed } from '../../src/torch/index.js';
import { createModel, mobilenetV2, MobileNetV2Backbone, ASPP, MultilabelHead, DeepLabV3Plus } from '../../src/models/index.js';

test('DeepLabV3+ gives per-pixel logits at the input size; the backbone reaches 1/stride', () => {
  manualSeed(0);
  for (const outputStride of [16, 8]) {
    const model = createModel('deeplabv3plus-mobilenetv2', { numClasses: 5, widthMult: 0.25, asppChannels: 16, decoderChannels: 16, outputStride }) as DeepLabV3Plus;
    model.eval();
    tidy(() => noGrad(() => {
      const x = randn([2, 3, 48, 64]);
      assert.deepEqual(model.call(x).shape, [2, 5, 48, 64]);
      const { low, high } = model.getModule('backbone', MobileNetV2Backbone)!.extract(x);
      assert.deepEqual(low.shape.slice(2), [12, 16], 'low-level features at stride 4');
      assert.deepEqual(high.shape.slice(2), [48 / outputStride, 64 / outputStride]);
    }));
  }
  assert.throws(() => createModel('deeplabv3plus-mobilenetv2', { outputStride: 32 }), /outputStride must be 8 or 16, got 32/);
});

test('the atrous backbone holds MobileNetV2 features under the same names and shapes', () => {
  const plain = mobilenetV2({ widthMult: 0.5 }).stateDict();
  const atrous = new MobileNetV2Backbone(3, 8, 0.5).stateDict();
  let shared = 0;
  for (const [name, t] of atrous) {
    const p = plain.get(name);
    assert.ok(p, `${name} is not a mobilenet_v2 key`);
    assert.deepEqual(t.shape, p.shape, name);
    shared++;
  }
  // Everything but the last 1×1 conv to 1280 channels (3 keys + batch-norm buffers) and the classifier.
  assert.ok(shared > 0.95 * (plain.size - 10), `${shared} of ${plain.size}`);
  // Dilation replaces the stride in the last stages: the depthwise convs there are dilated.
  const dilated = [...new MobileNetV2Backbone(3, 8).modules()].filter((m) => (m as { dilation?: number[] }).dilation?.[0] === 4);
  assert.ok(dilated.length > 0, 'stride 8 dilates the last stage by 4');
});

test('ASPP uses torchvision\'s module names (convs.0-4, project)', () => {
  const keys = [...new ASPP(32, [12, 24, 36], 8).stateDict().keys()];
  for (const k of ['convs.0.0.weight', 'convs.0.1.running_mean', 'convs.1.0.weight', 'convs.3.1.weight', 'convs.4.1.weight', 'convs.4.2.bias', 'project.0.weight', 'project.1.weight']) {
    assert.ok(keys.includes(k), `${k} missing from ${keys.join(', ')}`);
  }
  assert.throws(() => new ASPP(32, []), /rates must be positive integers/);
});

test('a multi-label head pools a backbone\'s maps into one logit per label', () => {
  manualSeed(1);
  const backbone = new MobileNetV2Backbone(3, 16, 0.25);
  const head = new MultilabelHead(backbone, backbone.highChannels, 7);
  head.eval();
  tidy(() => noGrad(() => assert.deepEqual(head.call(randn([3, 3, 32, 32])).shape, [3, 7])));
  const wrong = new MultilabelHead(backbone, backbone.highChannels + 1, 7);
  assert.throws(() => tidy(() => noGrad(() => wrong.call(randn([1, 3, 32, 32])))), /expected \[N, \d+, h, w\] feature maps/);
});
