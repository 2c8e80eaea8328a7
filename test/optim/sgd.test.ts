// SGD against PyTorch 1.13: parameters after each of 5 steps on the shared problem
// (reference numbers from test/optim/make-reference.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/torch/index.js';
import { SGD } from '../../src/optim/index.js';
import { optimizerRefs } from './reference-values.js';
import { makeProblem, runSteps, assertAllClose } from './problem.js';

const cases: [string, SGDArgs][] = [
  ['sgd', { lr: 0.1 }],
  ['sgdMomentum', { lr: 0.1, momentum: 0.9 }],
  ['sgdDampeningWeightDecay', { lr: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.1 }],
  ['sgdNesterov', { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }],
  ['sgdMaximize', { lr: 0.01, momentum: 0.5, maximize: true }],
];
type SGDArgs = ConstructorParameters<typeof SGD>[1];

for (const [name, opts] of cases) {
  test(`SGD matches PyTorch: ${name}`, () => {
    const pr = makeProblem();
    const rows = runSteps(pr, new SGD([pr.W, pr.b], opts));
    assertAllClose(rows, optimizerRefs[name]!, name);
  });
}

test('SGD param groups with their own lr and weight decay match PyTorch', () => {
  const pr = makeProblem();
  const opt = new SGD([{ params: [pr.W], lr: 0.1 }, { params: [pr.b], lr: 0.01, weightDecay: 0.5 }], { lr: 0.2, momentum: 0.9 });
  assert.equal(opt.paramGroups[0]!.weightDecay, 0);
  assert.equal(opt.paramGroups[1]!.momentum, 0.9);
  assertAllClose(runSteps(pr, opt), optimizerRefs.sgdGroups!, 'sgdGroups');
});

test('SGD skips parameters without a gradient and keeps no state for them', () => {
  const pr = makeProblem();
  const unused = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  const opt = new SGD([pr.W, pr.b, unused], { lr: 0.1, momentum: 0.9 });
  runSteps(pr, opt, 2);
  assert.deepEqual(unused.toFlatArray(), [1, 2]);
  assert.equal(opt.state.has(unused), false);
  assert.ok(opt.state.get(pr.W)!.momentum_buffer);
});

test('SGD rejects bad hyperparameters with clear errors', () => {
  const pr = makeProblem();
  assert.throws(() => new SGD([pr.W], { lr: -1 }), /invalid lr -1 in parameter group 0/);
  assert.throws(() => new SGD([pr.W], { lr: 0.1, nesterov: true }), /Nesterov momentum needs momentum > 0/);
  assert.throws(() => new SGD([], { lr: 0.1 }), /empty parameter list/);
  assert.throws(() => new SGD([pr.W, pr.W.mul(2)], { lr: 0.1 }), /not a leaf tensor/);
  assert.throws(() => new SGD([{ params: [pr.W] }, { params: [pr.W] }], { lr: 0.1 }), /already in another group/);
  assert.throws(() => new SGD(pr.W as never, { lr: 0.1 }), /params must be an array/);
  assert.throws(() => new SGD([pr.W], {} as never), /lr is required/);
});

test('addParamGroup adds parameters with the defaults filled in', () => {
  const pr = makeProblem();
  const opt = new SGD([pr.W], { lr: 0.1, momentum: 0.5 });
  opt.addParamGroup({ params: [pr.b], lr: 0.01 });
  assert.equal(opt.paramGroups.length, 2);
  assert.equal(opt.paramGroups[1]!.lr, 0.01);
  assert.equal(opt.paramGroups[1]!.momentum, 0.5);
  assert.throws(() => opt.addParamGroup({ params: [pr.b] }), /already in another group/);
});
