// Transfer-learning helpers: head replacement per family, pretrained loading around the
// head, freezing, and progressive unfreezing with per-stage learning rates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randn, tidy, noGrad } from '../../src/torch/index.js';
import { Module, Sequential, Linear, ReLU, crossEntropy } from '../../src/nn/index.js';
import { Adam } from '../../src/optim/adam.js';
import {
  resnet18, alexnetLike, mobilenetV2, mlp, sceneCnn, fashionCnn, fashionVgg, backboneStages, replaceHead, headPath, freezeBackbone, unfreezeProgressively, loadPretrained,
} from '../../src/models/index.js';
import { tensor } from '../../src/torch/index.js';

const logits = (m: Module, input: number[]) => tidy(() => noGrad(() => m.eval().call(randn(input)).shape));

test('replaceHead swaps each family\'s head and keeps the backbone', () => {
  const r = resnet18({ numClasses: 10, stem: 'cifar' });
  const conv1 = r.stateDict().get('conv1.weight')!;
  const head = replaceHead(r, 4);
  assert.equal(r.getModule('fc'), head);
  assert.deepEqual(r.stateDict().get('fc.weight')!.shape, [4, 512]);
  assert.equal(r.stateDict().get('conv1.weight'), conv1);
  assert.equal(r.numClasses, 4);
  assert.deepEqual(logits(r, [2, 3, 32, 32]), [2, 4]);

  const a = alexnetLike({ numClasses: 10 });
  replaceHead(a, 3);
  assert.deepEqual(a.stateDict().get('classifier.6.weight')!.shape, [3, 256]);
  assert.deepEqual(logits(a, [1, 3, 32, 32]), [1, 3]);

  const mb = mobilenetV2({ numClasses: 10, widthMult: 0.25 });
  assert.equal(headPath(mb), 'classifier.1');
  replaceHead(mb, 2);
  assert.deepEqual(mb.stateDict().get('classifier.1.weight')!.shape, [2, 1280]);
  assert.deepEqual(logits(mb, [1, 3, 32, 32]), [1, 2]);

  // A model that declares nothing: its last Linear is the head.
  const plain = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2));
  assert.equal(headPath(plain), '2');
  replaceHead(plain, 5);
  assert.deepEqual(logits(plain, [3, 4]), [3, 5]);
  assert.throws(() => replaceHead(plain, 0), /numClasses must be a positive integer/);
});

test('freezeBackbone leaves only the head trainable; backward reaches only the head', () => {
  const r = resnet18({ numClasses: 10, stem: 'cifar' });
  const trainable = freezeBackbone(r);
  assert.equal(trainable.length, 2);
  assert.equal(r.numParameters(true), 512 * 10 + 10);
  const names = [...r.namedParameters()].filter(([, p]) => p.requiresGrad).map(([n]) => n);
  assert.deepEqual(names, ['fc.weight', 'fc.bias']);
  tidy(() => crossEntropy(r.train().call(randn([2, 3, 16, 16])), tensor([1, 2], { dtype: 'int64' })).backward());
  assert.ok(r.stateDict().get('fc.weight')!.grad !== undefined);
  assert.equal(r.stateDict().get('layer4.1.conv2.weight')!.grad, undefined);
});

test('unfreezeProgressively releases stages from the head backwards with decaying learning rates', () => {
  const r = resnet18({ numClasses: 10, stem: 'cifar' });
  const count = (prefix: string) => [...r.namedParameters()].filter(([n]) => n.startsWith(prefix)).length;

  const s0 = unfreezeProgressively(r, 0, { lr: 0.01 });
  assert.deepEqual(s0.map((g) => [g.name, g.lr, g.params.length]), [['head', 0.01, 2]]);
  assert.equal(r.trainableParameters().length, 2);

  const s2 = unfreezeProgressively(r, 2, { lr: 0.01 });
  assert.deepEqual(s2.map((g) => g.name), ['head', 'layer4', 'layer3']);
  assert.deepEqual(s2.map((g) => g.lr.toPrecision(3)), ['0.0100', '0.00100', '0.000100']);
  assert.deepEqual(s2.map((g) => g.params.length), [2, count('layer4.'), count('layer3.')]);
  assert.equal(r.trainableParameters().length, 2 + count('layer4.') + count('layer3.'));
  assert.ok(!r.stateDict().get('layer2.0.conv1.weight')!.requiresGrad);

  const all = unfreezeProgressively(r, 99, { lr: 0.1, decay: 0.5 });
  assert.deepEqual(all.map((g) => g.name), ['head', 'layer4', 'layer3', 'layer2', 'layer1', 'conv1+bn1']);
  assert.equal(all.at(-1)!.lr, 0.1 * 0.5 ** 5);
  assert.equal(all.reduce((s, g) => s + g.params.length, 0), r.parameters().length);
  assert.equal(r.trainableParameters().length, r.parameters().length);
  // The groups are accepted by an optimizer as they are.
  assert.equal(new Adam(all).paramGroups.length, 6);

  // Blocks of the scene CNN and pool-delimited runs of the Keras-style models are stages;
  // layers without parameters do not appear in group names.
  assert.deepEqual(backboneStages(sceneCnn({ numClasses: 3 })), [['features.0'], ['features.1'], ['features.2'], ['features.3'], ['classifier.0']]);
  assert.deepEqual(backboneStages(fashionVgg({ numClasses: 3 })),
    [['features.0'], ['features.1'], ['features.2'], ['classifier.0', 'classifier.1', 'classifier.2', 'classifier.3']]);
  const f = fashionCnn({ numClasses: 3 });
  assert.deepEqual(unfreezeProgressively(f, 5, { lr: 1 }).map((g) => g.name), ['head', 'classifier.0', 'features.3', 'features.0']);

  const m = mlp();
  assert.deepEqual(unfreezeProgressively(m, 1, { lr: 1 }).map((g) => g.name), ['head', 'fc1']);
  assert.throws(() => unfreezeProgressively(m, -1, { lr: 1 }), /stage must be a non-negative integer/);
});

test('loadPretrained copies the backbone, skips the head and reports mismatches', () => {
  const source = resnet18({ numClasses: 1000, stem: 'cifar' });
  const target = resnet18({ numClasses: 5, stem: 'cifar' });
  const state = new Map(source.stateDict());
  const r = loadPretrained(target, state);
  assert.deepEqual(r, { missingKeys: [], unexpectedKeys: [], mismatchedKeys: [], skippedKeys: ['fc.weight', 'fc.bias'] });
  assert.ok(target.stateDict().get('layer3.1.conv2.weight')!.allClose(source.stateDict().get('layer3.1.conv2.weight')!, 0, 0));
  assert.deepEqual(target.stateDict().get('fc.weight')!.shape, [5, 512]);

  state.set('extra.weight', randn([3]));
  state.set('conv1.weight', randn([64, 1, 3, 3]));
  state.delete('bn1.running_mean');
  const loose = loadPretrained(target, state);
  assert.deepEqual(loose.unexpectedKeys, ['extra.weight']);
  assert.deepEqual(loose.mismatchedKeys, ['conv1.weight']);
  assert.deepEqual(loose.missingKeys, ['bn1.running_mean']);
  assert.throws(() => loadPretrained(target, state, { strict: true }),
    /missing keys: bn1.running_mean[\s\S]*unexpected keys: extra.weight[\s\S]*conv1.weight: model \[64, 3, 3, 3\], state dict \[64, 1, 3, 3\]/);
  // Without skipHead the 1000-class head does not fit a 5-class model.
  assert.deepEqual(loadPretrained(target, source.stateDict(), { skipHead: false }).mismatchedKeys, ['fc.weight', 'fc.bias']);
});
