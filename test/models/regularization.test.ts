// Weight penalties: values checked against hand-computed sums, layer selection, Module's
// penalty hook (declared per-parameter penalties and overridden terms), and the
// declarations of the Fashion l1/l2 variants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, noGrad, type Tensor } from '../../src/torch/index.js';
import { Module, Sequential, Linear, ReLU } from '../../src/nn/index.js';
import { weightPenalty, modelPenalty, fashionCnn, declaredPenalties, hasPenalty } from '../../src/models/index.js';

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

test('modelPenalty sums the penalties declared with addPenalty, by dotted name from any level', () => {
  const net = tinyNet();
  net.addPenalty('0.weight', { l1: 0.1 });
  net.getModule('2', Linear)!.addPenalty('weight', { l2: 1 });
  // 0.1·(1+2+3+0.5) + 1·(1+4) = 5.65
  close(modelPenalty(net).item(), 5.65);
  assert.deepEqual(declaredPenalties(net), [{ paramName: '0.weight', l1: 0.1 }, { paramName: '2.weight', l2: 1 }]);
  assert.equal(hasPenalty(net), true);

  class Wrapped extends Module {
    constructor() {
      super();
      this.registerModule('body', tinyNet());
      this.addPenalty('body.0.weight', { l1: 0.5, l2: 0.25 }).addPenalty('body.2.bias', { l2: 2 });
    }
  }
  // 0.5·6.5 + 0.25·(1+4+9+0.25) + 2·25 = 3.25 + 3.5625 + 50
  close(modelPenalty(new Wrapped()).item(), 56.8125);
  assert.deepEqual(declaredPenalties(new Wrapped()).map((p) => p.paramName), ['body.0.weight', 'body.2.bias']);

  const plain = tinyNet();
  close(modelPenalty(plain).item(), 0);
  assert.deepEqual(declaredPenalties(plain), []);
  assert.equal(hasPenalty(plain), false);
});

test('the penalty hook: gradients, replaced factors, shared modules once, custom terms', () => {
  const net = tinyNet();
  net.addPenalty('0.weight', { l1: 3 });
  net.addPenalty('0.weight', { l2: 0.5 }); // replaces the l1 declaration
  modelPenalty(net).backward();
  assert.deepEqual(net.stateDict().get('0.weight')!.grad!.toArray(), [[1, -2], [3, 0.5]]);
  assert.equal(net.stateDict().get('2.weight')!.grad, undefined);

  const shared = new Linear(2, 2);
  noGrad(() => shared.weight.copy_(tensor([[1, -2], [3, 0.5]])));
  shared.addPenalty('weight', { l1: 1 });
  const tied = new Sequential(shared, new ReLU(), shared);
  close(modelPenalty(tied).item(), 6.5);
  assert.equal(declaredPenalties(tied).length, 1);

  // A term that is not a per-parameter norm: this module's bias pulled towards 1.
  class Centred extends Linear {
    override penalty(): Tensor | null { return this.bias!.sub(1).square().sum(); }
  }
  const centred = new Centred(2, 2);
  noGrad(() => centred.bias!.copy_(tensor([3, -1])));
  const model = new Sequential(centred, new ReLU());
  close(modelPenalty(model).item(), 8);
  assert.deepEqual(declaredPenalties(model), []);
  assert.equal(hasPenalty(model), true);
});

test('bad penalty declarations are named', () => {
  const net = tinyNet();
  assert.throws(() => net.addPenalty('nope.weight', { l2: 1 }), /Sequential has no child 'nope'/);
  assert.throws(() => net.addPenalty('1.weight', { l2: 1 }), /ReLU.addPenalty: 'weight' is not one of its parameters \(it has none\)/);
  assert.throws(() => net.addPenalty('0.kernel', { l2: 1 }), /'kernel' is not one of its parameters \(it has weight, bias\)/);
  assert.throws(() => net.addPenalty('0.weight', { l1: -1 }), /l1 of 'weight' must be a non-negative number, got -1/);
  assert.throws(() => net.addPenalty('0.weight', { l2: Number.NaN }), /l2 of 'weight' must be a non-negative number/);
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
  const sd1 = l1.stateDict();
  close(modelPenalty(l1).item(), kernels.reduce((s, k) => s + 0.01 * sd1.get(k)!.abs().sum().item(), 0));
  assert.deepEqual(declaredPenalties(fashionCnn({ variant: 'dropout' })), []);
  assert.equal(hasPenalty(fashionCnn({ variant: 'dropout' })), false);
});
