// Every registered model maps a batch at its designed input size to [N, numClasses]
// logits, and the registry resolves names, aliases and options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randn, tidy, noGrad } from '../../src/torch/index.js';
import type { Module } from '../../src/nn/index.js';
import { createModel, listModels, modelInfo, resnet18, fashionCnn, mlp } from '../../src/models/index.js';

function logitsShape(m: Module, input: number[]): number[] {
  return tidy(() => noGrad(() => m.eval().call(randn(input)).shape));
}

test('listModels lists each registered model once, each described by modelInfo', () => {
  const names = listModels();
  assert.ok(names.length > 0);
  assert.equal(new Set(names).size, names.length, `duplicate names: ${names.join(', ')}`);
  for (const name of names) {
    const info = modelInfo(name);
    assert.equal(info.name, name);
    assert.ok(info.description.length > 0, `${name} has no description`);
    assert.equal(info.defaultInput.length, 3, `${name}: defaultInput`);
    if (info.output === 'image') assert.equal(info.defaultClasses, 0, `${name}: an image-to-image model has no classes`);
    else assert.ok(Number.isInteger(info.defaultClasses) && info.defaultClasses > 0, `${name}: defaultClasses`);
  }
  // The families the rest of this file builds by name.
  for (const name of ['mlp', 'fashion-cnn', 'resnet18']) assert.ok(names.includes(name), `${name} is not registered`);
});

// The torchvision families take one image at their native 224 px (ResNet-34 at 96 px to
// save time; adaptive pooling makes any size valid). VGG's forward is checked in
// torchvision-structure-vgg.test.ts, which builds those 138M-parameter models anyway.
const checkedElsewhere = new Set(['vgg16', 'vgg16_bn']);
// Segmentation models give per-pixel logits [N, C, H, W]: test/scenes checks their shapes.
for (const name of ['deeplabv3plus-mobilenetv2', 'deeplabv3plus-resnet18', 'deeplabv3plus-resnet50', 'unet', 'deeplabv3_resnet50', 'fcn_resnet50', 'lraspp_mobilenet_v3_large']) checkedElsewhere.add(name);
const sizes: Record<string, number> = { resnet34: 96 };

for (const name of listModels().filter((n) => !checkedElsewhere.has(n))) {
  const info = modelInfo(name);
  if (info.output === 'image') {
    test(`${name}: [1, ${info.defaultInput}] → an image of the same shape`, () => {
      assert.deepEqual(logitsShape(createModel(name), [1, ...info.defaultInput]), [1, ...info.defaultInput]);
    });
    continue;
  }
  const [c, h] = info.defaultInput;
  const size = sizes[name] ?? h;
  const batch = size >= 96 ? 1 : 2;
  test(`${name}: [${batch}, ${c}, ${size}, ${size}] → [${batch}, 7]`, () => {
    const m = createModel(name, { numClasses: 7 });
    assert.deepEqual(logitsShape(m, [batch, c, size, size]), [batch, 7]);
  });
}

test('the small models follow inChannels and inputSize', () => {
  for (const name of ['mlp', 'noisy-label-cnn', 'fashion-cnn', 'fashion-cnn-plus', 'fashion-vgg', 'scene-cnn', 'alexnet-like']) {
    const m = createModel(name, { numClasses: 4, inChannels: 3, inputSize: [48, 40] });
    assert.deepEqual(logitsShape(m, [3, 3, 48, 40]), [3, 4], name);
  }
});

test('Keras-style dense sizes follow the input: fashion-cnn flattens 64×5×5 at 28 px', () => {
  const m = fashionCnn({ numClasses: 10 });
  // 28 → conv3 26 → pool 13 → conv3 11 → pool 5: 64·5·5 = 1600 features.
  assert.deepEqual(m.stateDict().get('classifier.0.weight')!.shape, [128, 1600]);
  assert.equal(mlp().inFeatures, 784);
});

test("fashion-cnn-plus takes the widths of its three blocks; the study's variants refuse them", () => {
  const m = createModel('fashion-cnn-plus', { numClasses: 10, widths: [16, 64, 128] });
  assert.deepEqual(m.stateDict().get('features.0.weight')!.shape, [16, 1, 3, 3]);
  assert.deepEqual(m.stateDict().get('features.4.weight')!.shape, [64, 16, 3, 3]);
  assert.deepEqual(m.stateDict().get('classifier.0.weight')!.shape, [128, 128 * 3 * 3]);
  assert.throws(() => createModel('fashion-cnn-plus', { widths: [16, 64] }), /widths must list 3 block widths, got 2/);
  assert.throws(() => createModel('fashion-cnn-plus', { widths: [16, 0, 128] }), /widths\[1\]/);
  assert.throws(() => createModel('fashion-cnn', { widths: [16, 64, 128] }), /only the 'plus' variant takes widths/);
});

test('the cifar stem keeps torchvision names and keeps 32 px resolution in layer1', () => {
  const m = resnet18({ numClasses: 10, stem: 'cifar' });
  assert.deepEqual(m.stateDict().get('conv1.weight')!.shape, [64, 3, 3, 3]);
  const maps = tidy(() => noGrad(() => m.eval().featureMaps(randn([1, 3, 32, 32])).shape));
  assert.deepEqual(maps, [1, 512, 4, 4]);
  const imagenet = resnet18({ numClasses: 10 });
  assert.deepEqual(tidy(() => noGrad(() => imagenet.eval().featureMaps(randn([1, 3, 64, 64])).shape)), [1, 512, 2, 2]);
  assert.deepEqual([...m.stateDict().keys()], [...imagenet.stateDict().keys()]);
});

test('registry lookups ignore case, dashes and underscores; unknown names list the known ones', () => {
  assert.ok(createModel('MobileNetV2', { numClasses: 3 }).stateDict().has('classifier.1.weight'));
  assert.ok(createModel('noisyLabelCnn', { numClasses: 3 }).stateDict().has('classifier.1.weight'));
  assert.throws(() => createModel('resnet50'), /unknown model 'resnet50'.*resnet18/);
  assert.throws(() => createModel('mlp', { numClasses: 0 }), /numClasses must be a positive integer/);
  assert.throws(() => createModel('fashion-cnn', { inputSize: 6 }), /input 1×6×6 does not fit/);
  assert.throws(() => createModel('fashion-vgg', { widths: [32, 64] }), /widths must list 3 block widths, got 2/);
});
