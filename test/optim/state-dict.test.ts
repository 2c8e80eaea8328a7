// Optimizer state dicts: PyTorch's layout, exact continuation after a round trip,
// independence of the restored copy, and clear errors for mismatched dicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor, tidy, scopeSize, noGrad } from '../../src/torch/index.js';
import { SGD, Adam, AdamW, RMSprop, Adadelta, Adagrad, OneCycleLR, type Optimizer, type ParamGroup, type AdamState } from '../../src/optim/index.js';
import { makeProblem, runSteps, snapshot, type Problem } from './problem.js';

type Make = (W: Tensor, b: Tensor) => Optimizer<ParamGroup>;
const makers: [string, Make][] = [
  ['SGD nesterov', (W, b) => new SGD([W, b], { lr: 0.05, momentum: 0.9, nesterov: true })],
  ['Adam amsgrad', (W, b) => new Adam([{ params: [W] }, { params: [b], lr: 0.02 }], { lr: 0.1, amsgrad: true })],
  ['AdamW', (W, b) => new AdamW([W, b], { lr: 0.1 })],
  ['RMSprop centered', (W, b) => new RMSprop([W, b], { lr: 0.01, momentum: 0.5, centered: true })],
  ['Adadelta', (W, b) => new Adadelta([W, b])],
  ['Adagrad', (W, b) => new Adagrad([W, b], { lr: 0.1, lrDecay: 0.01 })],
];

function copyOf(pr: Problem): Problem {
  const fresh = makeProblem();
  noGrad(() => {
    fresh.W.copy_(pr.W);
    fresh.b.copy_(pr.b);
  });
  return fresh;
}

for (const [name, make] of makers) {
  test(`${name}: an optimizer restored from a state dict continues exactly like the original`, () => {
    const a = makeProblem();
    const optA = make(a.W, a.b);
    runSteps(a, optA, 3, name === 'Adam amsgrad' ? [1] : []);
    optA.paramGroups[0]!.lr *= 0.5; // hyperparameters travel with the state dict
    const saved = optA.stateDict();

    const b = copyOf(a);
    const optB = make(b.W, b.b);
    optB.loadStateDict(saved);
    assert.equal(optB.paramGroups[0]!.lr, optA.paramGroups[0]!.lr);
    const rowsA = runSteps(a, optA, 3);
    const rowsB = runSteps(b, optB, 3);
    assert.deepEqual(rowsB, rowsA);
    assert.notDeepEqual(rowsA[2], snapshot(makeProblem()));
  });
}

test('stateDict uses PyTorch layout: positions across groups and PyTorch state names', () => {
  const pr = makeProblem();
  const opt = new Adam([{ params: [pr.W] }, { params: [pr.b], lr: 0.01 }], { lr: 0.1 });
  runSteps(pr, opt, 2);
  const sd = opt.stateDict();
  assert.deepEqual(sd.paramGroups.map((g) => g.params), [[0], [1]]);
  assert.equal(sd.paramGroups[1]!.lr, 0.01);
  assert.deepEqual(sd.paramGroups[0]!.betas, [0.9, 0.999]);
  assert.deepEqual([...sd.state.keys()], [0, 1]);
  assert.deepEqual(Object.keys(sd.state.get(1)!).sort(), ['exp_avg', 'exp_avg_sq', 'step']);
  assert.equal(sd.state.get(0)!.step, 2);
  assert.deepEqual(sd.state.get(1)!.exp_avg.shape, [2]);
});

test('loaded state is a copy: stepping the original does not change the restored optimizer', () => {
  const a = makeProblem();
  const optA = new SGD([a.W, a.b], { lr: 0.1, momentum: 0.9 });
  runSteps(a, optA, 2);
  const b = copyOf(a);
  const optB = new SGD([b.W, b.b], { lr: 0.1, momentum: 0.9 });
  optB.loadStateDict(optA.stateDict());
  const before = optB.state.get(b.W)!.momentum_buffer!.toFlatArray();
  runSteps(a, optA, 2);
  assert.deepEqual(optB.state.get(b.W)!.momentum_buffer!.toFlatArray(), before);
});

test('loadStateDict accepts PyTorch-style dicts: snake_case names, tensor step, object keyed state', () => {
  const pr = makeProblem();
  const opt = new Adam([pr.W, pr.b]);
  opt.loadStateDict({
    state: { 1: { step: tensor(3, { dtype: 'float32' }), exp_avg: tensor([0.5, 0.5], { dtype: 'float32' }), exp_avg_sq: tensor([1, 1]) } },
    paramGroups: [{ params: [0, 1], lr: 0.5, betas: [0.8, 0.9], eps: 1e-8, weight_decay: 0.25, amsgrad: false, maximize: false }],
  });
  const g = opt.paramGroups[0]!;
  assert.equal(g.weightDecay, 0.25);
  assert.deepEqual(g.betas, [0.8, 0.9]);
  const s = opt.state.get(pr.b)!;
  assert.equal(s.step, 3);
  assert.equal(s.exp_avg.dtype, 'float64'); // cast to the parameter's dtype
  assert.equal(opt.state.has(pr.W), false);
});

test('loadStateDict rejects mismatched dicts with clear errors', () => {
  const pr = makeProblem();
  const two = new SGD([{ params: [pr.W] }, { params: [pr.b] }], { lr: 0.1, momentum: 0.9 });
  runSteps(pr, two, 1);
  const sd = two.stateDict();
  const other = makeProblem();
  assert.throws(() => new SGD([other.W, other.b], { lr: 0.1 }).loadStateDict(sd), /state dict has 2 parameter group\(s\), this optimizer has 1/);
  const extra = tensor([0], { dtype: 'float64', requiresGrad: true });
  assert.throws(() => new SGD([{ params: [other.W] }, { params: [other.b, extra] }], { lr: 0.1 }).loadStateDict(sd),
    /parameter group 1 has 1 parameter\(s\) in the state dict, 2 in this optimizer/);
  assert.throws(() => new SGD([{ params: [other.b] }, { params: [other.W] }], { lr: 0.1 }).loadStateDict(sd),
    /state of parameter 0: 'momentum_buffer' has shape \[2,3\], the parameter has shape \[2\]/);
  assert.throws(() => new SGD([other.W], { lr: 0.1 }).loadStateDict({ state: new Map(), paramGroups: [{ params: [0], lr: -1 }] }), /invalid lr -1/);
});

test('OneCycleLR values in the groups survive an optimizer state dict round trip', () => {
  const a = makeProblem();
  const optA = new AdamW([a.W, a.b]);
  const sched = new OneCycleLR(optA, { maxLr: 0.5, totalSteps: 10 });
  sched.step();
  const b = makeProblem();
  const optB = new AdamW([b.W, b.b]);
  optB.loadStateDict(optA.stateDict());
  const g = optB.paramGroups[0]!;
  assert.equal(g.maxLr, 0.5);
  assert.equal(g.initialLr, 0.02);
  assert.equal(g.lr, optA.paramGroups[0]!.lr);
  assert.deepEqual(g.betas, optA.paramGroups[0]!.betas);
});

test('step frees its temporaries and keeps its state alive', () => {
  const pr = makeProblem();
  const opts: Optimizer<ParamGroup>[] = [
    new SGD([pr.W, pr.b], { lr: 0.01, momentum: 0.9, weightDecay: 0.1, nesterov: true }),
    new Adam([pr.W, pr.b], { amsgrad: true, weightDecay: 0.1 }),
    new RMSprop([pr.W, pr.b], { momentum: 0.5, centered: true }),
    new Adadelta([pr.W, pr.b]),
    new Adagrad([pr.W, pr.b]),
  ];
  for (const opt of opts) {
    const leftOver = tidy(() => {
      runSteps(pr, opt, 1);
      const before = scopeSize();
      opt.step();
      opt.step();
      return scopeSize() - before;
    });
    assert.equal(leftOver, 0, `${opt.constructor.name}.step left tensors in the caller's scope`);
    for (const s of opt.state.values()) {
      for (const v of Object.values(s)) if (v instanceof Tensor) assert.equal(v.isDisposed, false, `${opt.constructor.name} state was freed`);
    }
  }
});

test('state is typed per optimizer, and a loaded state lacking fields gets them from the initial state', () => {
  const pr = makeProblem();
  const adam = new Adam([pr.W, pr.b], { lr: 0.1 });
  runSteps(pr, adam, 1);
  const s: AdamState = adam.state.get(pr.W)!;
  assert.equal(s.step, 1);
  assert.deepEqual(s.exp_avg.shape, pr.W.shape);
  assert.equal(s.max_exp_avg_sq, undefined, 'AMSGrad off: no running maximum');

  const fresh = new Adam([pr.W, pr.b], { lr: 0.1 });
  fresh.loadStateDict({
    state: { 1: { step: 2, exp_avg: tensor([0.5, 0.5]) } },
    paramGroups: [{ params: [0, 1], lr: 0.1 }],
  });
  const loaded = fresh.state.get(pr.b)!;
  assert.equal(loaded.step, 2);
  assert.deepEqual(loaded.exp_avg.toFlatArray(), [0.5, 0.5]);
  assert.deepEqual(loaded.exp_avg_sq.toFlatArray(), [0, 0]);
  assert.equal(fresh.state.has(pr.W), false);

  const sgd = new SGD([pr.W], { lr: 0.1 });
  runSteps(pr, sgd, 1);
  assert.deepEqual(sgd.state.get(pr.W), {}, 'no momentum: no buffer');
});
