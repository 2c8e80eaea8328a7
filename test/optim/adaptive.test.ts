// Adam, AdamW, RMSprop, Adadelta and Adagrad against PyTorch 1.13: parameters after
// each of 5 steps on the shared problem (reference numbers from test/optim/make-reference.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, AdamW, RMSprop, Adadelta, Adagrad, type Optimizer, type ParamGroup } from '../../src/optim/index.js';
import type { Tensor } from '../../src/torch/index.js';
import { optimizerRefs } from './reference-values.js';
import { makeProblem, runSteps, assertAllClose } from './problem.js';

const cases: [string, (W: Tensor, b: Tensor) => Optimizer<ParamGroup>][] = [
  ['adam', (W, b) => new Adam([W, b], { lr: 0.1 })],
  ['adamAmsgradWeightDecay', (W, b) => new Adam([W, b], { lr: 0.1, betas: [0.8, 0.99], weightDecay: 0.1, amsgrad: true })],
  ['adamGroups', (W, b) => new Adam([{ params: [W], lr: 0.1 }, { params: [b], lr: 0.01, eps: 1e-3 }])],
  ['adamw', (W, b) => new AdamW([W, b], { lr: 0.1 })],
  ['adamwAmsgrad', (W, b) => new AdamW([W, b], { lr: 0.1, weightDecay: 0.05, amsgrad: true, eps: 1e-6 })],
  ['rmsprop', (W, b) => new RMSprop([W, b], { lr: 0.01 })],
  ['rmspropMomentum', (W, b) => new RMSprop([W, b], { lr: 0.01, momentum: 0.9 })],
  ['rmspropCenteredMomentumWeightDecay', (W, b) => new RMSprop([W, b], { lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.1 })],
  ['rmspropCentered', (W, b) => new RMSprop([W, b], { lr: 0.02, centered: true })],
  ['adadelta', (W, b) => new Adadelta([W, b])],
  ['adadeltaWeightDecay', (W, b) => new Adadelta([W, b], { lr: 0.5, rho: 0.8, eps: 1e-5, weightDecay: 0.1 })],
  ['adagrad', (W, b) => new Adagrad([W, b], { lr: 0.1 })],
  ['adagradDecayAccumulator', (W, b) => new Adagrad([W, b], { lr: 0.1, lrDecay: 0.1, weightDecay: 0.1, initialAccumulatorValue: 0.5 })],
];

for (const [name, make] of cases) {
  test(`matches PyTorch: ${name}`, () => {
    const pr = makeProblem();
    assertAllClose(runSteps(pr, make(pr.W, pr.b)), optimizerRefs[name]!, name);
  });
}

test('Adam with a parameter that skips steps (its step count falls behind) matches PyTorch', () => {
  const pr = makeProblem();
  const opt = new Adam([pr.W, pr.b], { lr: 0.1 });
  assertAllClose(runSteps(pr, opt, 5, [1, 2]), optimizerRefs.adamSkippedGrads!, 'adamSkippedGrads');
  assert.equal(opt.state.get(pr.W)!.step, 5);
  assert.equal(opt.state.get(pr.b)!.step, 3);
});

test('Adagrad with a parameter that skips steps matches PyTorch', () => {
  const pr = makeProblem();
  const opt = new Adagrad([pr.W, pr.b], { lr: 0.1, lrDecay: 0.5 });
  assertAllClose(runSteps(pr, opt, 5, [1, 2]), optimizerRefs.adagradSkippedGrads!, 'adagradSkippedGrads');
});

test('state uses PyTorch names and defaults match PyTorch', () => {
  const pr = makeProblem();
  const adam = new Adam([pr.W], { amsgrad: true });
  assert.deepEqual(adam.paramGroups[0]!.betas, [0.9, 0.999]);
  assert.equal(adam.paramGroups[0]!.lr, 1e-3);
  assert.equal(new AdamW([pr.b]).paramGroups[0]!.weightDecay, 1e-2);
  runSteps(pr, adam, 1);
  assert.deepEqual(Object.keys(adam.state.get(pr.W)!).sort(), ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq', 'step']);
  const rms = new RMSprop([pr.b], { momentum: 0.5, centered: true });
  assert.equal(rms.paramGroups[0]!.alpha, 0.99);
  // Adagrad's state exists from the start, as in PyTorch.
  const ada = new Adagrad([pr.W], { initialAccumulatorValue: 0.25 });
  assert.deepEqual(ada.state.get(pr.W)!.sum.toFlatArray(), [0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
  assert.equal(ada.state.get(pr.W)!.step, 0);
});

test('bad hyperparameters give clear errors', () => {
  const pr = makeProblem();
  assert.throws(() => new Adam([pr.W], { betas: [1, 0.999] }), /Adam: invalid beta1 1 in parameter group 0/);
  assert.throws(() => new AdamW([{ params: [pr.W], eps: -1 }]), /AdamW: invalid eps -1 in parameter group 0/);
  assert.throws(() => new RMSprop([pr.W], { momentum: -0.1 }), /RMSprop: invalid momentum -0.1/);
  assert.throws(() => new Adadelta([pr.W], { rho: 1.5 }), /Adadelta: invalid rho 1.5/);
  assert.throws(() => new Adagrad([pr.W], { lrDecay: -1 }), /Adagrad: invalid lrDecay -1/);
});

test('float32 parameters train too (Adam, single precision within float tolerance)', async () => {
  const pr = makeProblem();
  const W = pr.W.float().detach().requiresGrad_();
  const b = pr.b.float().detach().requiresGrad_();
  const x = pr.x.float(), y = pr.y.float();
  const opt = new Adam([W, b], { lr: 0.1 });
  const rows: number[][] = [];
  for (let i = 0; i < 5; i++) {
    opt.zeroGrad();
    x.matmul(W.t()).add(b).sub(y).square().mean().backward();
    opt.step();
    rows.push([...W.toFlatArray(), ...b.toFlatArray()]);
  }
  assertAllClose(rows, optimizerRefs.adam!, 'adam float32', 1e-5, 1e-6);
});
