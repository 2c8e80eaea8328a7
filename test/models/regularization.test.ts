// Weight penalties: values checked against hand-computed sums, layer selection, and the
// per-parameter declarations of the Fashion l1/l2 variants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, noGrad } from '../../src/torch/index.js';
import { Module, Sequential, Linear, ReLU } from '../../src/nn/index.js';
import { weightPenalty, modelPenalty, fashionCnn, declaredPenalties } from '../../src/models/index.js';

// W1 = [[1, -2], [3, 0.5]], b1 = [1, 1], W2 = [[-1, 2]], b2 = [5]:
// Σ|W| = 9.5, ΣW² = 19.25, Σ|b| = 7, Σb² = 27.
function tinyNet(): Sequential {
  const net = new Sequential(new Linear(2, 2), new ReLU(), new Linear(2, 1));
  noGrad(() => {
    const sd = net.stateDict();
    sd.get('0.weight')!.copy_(tensor([[1, -2], [3, 0.5]]));
    sd.get('0.bias')!.copy_(tensor([1, 1]));
    sd.get('2.weight')!.copy_(tensor([[-1, 2]]));
    sd.get('2.bias')!.copy_(tensor([5]));
  });
  return net;
}

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-5, `${a} ≠ ${b}`);

test('weightPenalty: Keras convention over kernels only, by default', () => {
  const net = tinyNet();
  close(weightPenalty(net, { l1: 0.1 }).item(), 0.95);
  close(weightPenalty(net, { l2: 0.01 }).item(), 0.1925);
  close(weightPenalty(net, { l1: 0.1, l2: 0.01 }).item(), 1.1425);
  close(weightPenalty(net, { l2: 0.01, includeAll: true }).item(), 0.1925 + 0.27);
  close(weightPenalty(net, { l1: 1, layers: ['2'] }).item(), 3);
  close(weightPenalty(net, {}).item(), 0);
});

test('weightPenalty: l2 gradient is 2·λ·w; bad options are named', () => {
  const net = tinyNet();
  weightPenalty(net, { l2: 0.5 }).backward();
  assert.deepEqual(net.stateDict().get('0.weight')!.grad!.toArray(), [[1, -2], [3, 0.5]]);
  assert.equal(net.stateDict().get('0.bias')!.grad, undefined);
  assert.throws(() => weightPenalty(net, { l1: -1 }), /l1 must be a non-negative number/);
  assert.throws(() => weightPenalty(net, { l2: 1, layers: ['layer9'] }), /no parameter .* matches layer9/);
});

test('modelPenalty sums a model\'s declared per-parameter penalties', () => {
  class Declared extends Module {
    readonly penalties = [{ paramName: 'body.0.weight', l1: 0.1 }, { paramName: 'body.2.weight', l2: 1 }];
    constructor() { super(); this.registerModule('body', tinyNet()); }
  }
  // 0.1·(1+2+3+0.5) + 1·(1+4) = 5.65
  close(modelPenalty(new Declared()).item(), 5.65);
  close(modelPenalty(tinyNet()).item(), 0);
  class Wrong extends Module { readonly penalties = [{ paramName: 'nope.weight', l2: 1 }]; }
  assert.throws(() => modelPenalty(new Wrong()), /'nope.weight', which is not one of its parameters/);
});

test('fashion l1/l2 variants penalise every conv kernel and dense matrix', () => {
  const kernels = ['features.0.weight', 'features.3.weight', 'classifier.0.weight', 'classifier.2.weight'];
  const l2 = fashionCnn({ variant: 'l2' });
  assert.deepEqual(declaredPenalties(l2), kernels.map((paramName) => ({ paramName, l2: 1e-3 })));
  const sd = l2.stateDict();
  const expected = kernels.reduce((s, k) => s + 1e-3 * sd.get(k)!.square().sum().item(), 0);
  close(modelPenalty(l2).item(), expected);
  const l1 = fashionCnn({ variant: 'l1', penalty: 0.01 });
  assert.deepEqual(declaredPenalties(l1).map((p) => p.l1), [0.01, 0.01, 0.01, 0.01]);
  assert.deepEqual(declaredPenalties(fashionCnn({ variant: 'dropout' })), []);
});
