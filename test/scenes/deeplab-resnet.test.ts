// DeepLabV3+ on atrous ResNet-18 and ResNet-50: logits at the input size at output strides
// 16 and 8, the backbone's features at 1/4 and 1/stride, dilation where torchvision puts
// it, ASPP rates that follow the stride, and torchvision's parameter names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randn, tidy, noGrad, manualSeed } from '../../src/torch/index.js';
import { Conv2d } from '../../src/nn/index.js';
import {
  createModel, resnet18, deeplabV3ResNet50, ASPP, SegmentationBackbone, ResNetSegmentationBackbone, type DeepLabV3Plus,
} from '../../src/models/index.js';
import { validateConfig, createConfiguredModel } from '../../src/experiment/index.js';

const small = { numClasses: 4, asppChannels: 16, decoderChannels: 16 };

test('DeepLabV3+ ResNet-18/50 give logits at the input size; the backbone reaches 1/4 and 1/stride', () => {
  manualSeed(0);
  for (const [name, low, high] of [['resnet18', 64, 512], ['resnet50', 256, 2048]] as const) {
    for (const outputStride of [16, 8] as const) {
      const model = createModel(`deeplabv3plus-${name}`, { ...small, outputStride }) as DeepLabV3Plus;
      model.eval();
      tidy(() => noGrad(() => {
        const x = randn([1, 3, 64, 64]);
        assert.deepEqual(model.call(x).shape, [1, 4, 64, 64], `${name} stride ${outputStride}`);
        const f = model.getModule('backbone', SegmentationBackbone)!.extract(x);
        assert.deepEqual(f.low.shape, [1, low, 16, 16], `${name} low-level features from layer1`);
        assert.deepEqual(f.high.shape, [1, high, 64 / outputStride, 64 / outputStride], `${name} stride ${outputStride}`);
      }));
      // The stride goes to dilation: layer4 only at 16, layer3 (×2) and layer4 (×4) at 8.
      const dil = (path: string) => model.getSubmodule(`backbone.${path}`, Conv2d).dilation[0];
      const conv = name === 'resnet18' ? 'conv1' : 'conv2';
      assert.deepEqual([dil(`layer2.1.${conv}`), dil(`layer3.1.${conv}`), dil(`layer4.1.${conv}`)], outputStride === 16 ? [1, 1, 2] : [1, 2, 4]);
      assert.deepEqual(model.getSubmodule('aspp', ASPP).rates, outputStride === 16 ? [6, 12, 18] : [12, 24, 36]);
    }
  }
  const custom = createModel('deeplabv3plus-resnet18', { ...small, outputStride: 8, asppRates: [2, 4] });
  assert.deepEqual(custom.getSubmodule('aspp', ASPP).rates, [2, 4]);
  assert.throws(() => createModel('deeplabv3plus-resnet18', { outputStride: 32 }), /deeplabv3plus-resnet18: outputStride must be 8 or 16, got 32/);
  assert.throws(() => createModel('deeplabv3plus-resnet50', { widthMult: 0.5 }), /widthMult applies to the mobilenet_v2 backbone only, not resnet50/);
});

test('the ResNet backbones keep torchvision\'s parameter names and shapes', () => {
  const pairs: [ResNetSegmentationBackbone, Map<string, { shape: number[] }>][] = [
    [new ResNetSegmentationBackbone('resnet18', 3, 8), resnet18().stateDict()],
    [new ResNetSegmentationBackbone('resnet50', 3, 8), new Map([...deeplabV3ResNet50().stateDict()].filter(([k]) => k.startsWith('backbone.')).map(([k, v]) => [k.slice(9), v]))],
  ];
  for (const [backbone, reference] of pairs) {
    const own = backbone.stateDict();
    for (const [k, t] of own) assert.deepEqual(t.shape, reference.get(k)?.shape, `${backbone.arch} ${k}`);
    // Everything but the classifier (fc) is there.
    assert.equal(own.size, [...reference.keys()].filter((k) => !k.startsWith('fc.')).length, backbone.arch);
  }
});

test('a config passes outputStride and asppRates to deeplabv3plus-resnet18', () => {
  const cfg = validateConfig({
    name: 'deeplab-r18', seed: 0, task: 'segmentation', dataset: { kind: 'voc', root: '/nowhere' }, split: { val: 2 },
    model: { name: 'deeplabv3plus-resnet18', outputStride: 8, asppRates: [12, 24], asppChannels: 8, decoderChannels: 8 },
    optimizer: { name: 'adam', lr: 0.003 }, epochs: 1, batchSize: 4,
  });
  const model = createConfiguredModel(cfg.model, { numClasses: 3, inputShape: [3, 32, 32] });
  assert.deepEqual(model.getSubmodule('aspp', ASPP).rates, [12, 24]);
  tidy(() => noGrad(() => {
    model.eval();
    const high = model.getModule('backbone', SegmentationBackbone)!.extract(randn([1, 3, 32, 32])).high;
    assert.deepEqual(high.shape.slice(2), [4, 4]);
  }));
  assert.throws(() => validateConfig({ ...cfg, model: { name: 'deeplabv3plus-resnet50', outputStride: 4 } }), /config\.model\.outputStride/);
});
