// Learning-rate schedules against PyTorch 1.13: each group's lr (and momentum or beta1
// for OneCycleLR) after construction and after each of up to 20 steps, on an optimizer
// with two groups (lr 0.1 and 0.05). Reference sequences from test/optim/make-reference.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zeros } from '../../src/torch/index.js';
import {
  SGD, Adam, StepLR, MultiStepLR, CosineAnnealingLR, OneCycleLR, LinearLR, LinearWarmup, SequentialLR, LambdaLR,
  ReduceLROnPlateau, type Optimizer, type ParamGroup, type LRSchedule,
} from '../../src/optim/index.js';
import { scheduleRefs, plateauMetrics, plateauMaxMetrics } from './reference-values.js';
import { assertAllClose } from './problem.js';

function twoGroups(kind: 'sgd' | 'adam' = 'sgd'): Optimizer<ParamGroup> {
  const groups = [{ params: [zeros([2], { requiresGrad: true })] }, { params: [zeros([2], { requiresGrad: true })], lr: 0.05 }];
  return kind === 'adam' ? new Adam(groups, { lr: 0.1 }) : new SGD(groups, { lr: 0.1, momentum: 0.9 });
}

type Read = 'lr' | 'momentum';
function sequence(opt: Optimizer<ParamGroup>, sched: LRSchedule, steps: number, read: Read = 'lr', metrics?: number[]): number[][] {
  const snap = (): number[] => {
    if (read === 'lr') return metrics ? opt.paramGroups.map((g) => g.lr) : sched.getLastLr();
    return opt.paramGroups.map((g) => (g.betas ? g.betas[0] : g.momentum!));
  };
  const out = [snap()];
  for (let i = 0; i < steps; i++) {
    opt.step();
    // Schedules take no argument; ReduceLROnPlateau takes the epoch's metric.
    sched.step(metrics?.[i]);
    out.push(snap());
  }
  return out;
}

const cases: [string, (o: Optimizer<ParamGroup>) => LRSchedule, number?, Read?, ('sgd' | 'adam')?][] = [
  ['stepLR', (o) => new StepLR(o, { stepSize: 3, gamma: 0.5 })],
  ['multiStepLR', (o) => new MultiStepLR(o, { milestones: [2, 5, 5, 9], gamma: 0.1 })],
  ['cosineAnnealingLR', (o) => new CosineAnnealingLR(o, { tMax: 8, etaMin: 0.001 })],
  ['oneCycleCos', (o) => new OneCycleLR(o, { maxLr: 1.0, totalSteps: 20 }), 19],
  ['oneCycleCosMomentum', (o) => new OneCycleLR(o, { maxLr: 1.0, totalSteps: 20 }), 19, 'momentum'],
  ['oneCycleLinearThreePhase', (o) => new OneCycleLR(o, { maxLr: [1.0, 0.5], totalSteps: 20, pctStart: 0.25, anneal: 'linear', threePhase: true, divFactor: 10, finalDivFactor: 100 }), 19, 'lr', 'adam'],
  ['oneCycleLinearThreePhaseBeta1', (o) => new OneCycleLR(o, { maxLr: [1.0, 0.5], totalSteps: 20, pctStart: 0.25, anneal: 'linear', threePhase: true, divFactor: 10, finalDivFactor: 100 }), 19, 'momentum', 'adam'],
  ['linearLR', (o) => new LinearLR(o, { startFactor: 0.25, totalIters: 4 })],
  ['sequentialWarmupCosine', (o) => new SequentialLR(o, { schedulers: [new LinearLR(o, { startFactor: 0.1, totalIters: 5 }), new CosineAnnealingLR(o, { tMax: 15 })], milestones: [5] })],
  ['sequentialWarmupStep', (o) => new SequentialLR(o, { schedulers: [new LinearWarmup(o, { startFactor: 0.5, warmupSteps: 3 }), new StepLR(o, { stepSize: 4, gamma: 0.5 })], milestones: [3] })],
  ['lambdaLR', (o) => new LambdaLR(o, (e) => 0.95 ** e)],
  ['lambdaLRPerGroup', (o) => new LambdaLR(o, [(e) => 1 / (1 + e), (e) => (e % 2 ? 0.5 : 1.0)])],
];

for (const [name, make, steps = 20, read = 'lr', kind = 'sgd'] of cases) {
  test(`${name} matches PyTorch's sequence`, () => {
    const opt = twoGroups(kind);
    assertAllClose(sequence(opt, make(opt), steps, read), scheduleRefs[name]!, name, 1e-12, 1e-15);
  });
}

test('ReduceLROnPlateau (min, relative threshold, cooldown, minLr) matches PyTorch', () => {
  const opt = twoGroups();
  const sched = new ReduceLROnPlateau(opt, { factor: 0.5, patience: 2, threshold: 0.1, cooldown: 1, minLr: 0.01 });
  assertAllClose(sequence(opt, sched, 20, 'lr', plateauMetrics), scheduleRefs.reduceLROnPlateauMin!, 'plateau min', 1e-12, 1e-15);
  assert.deepEqual(sched.getLastLr(), [0.01, 0.01]);
});

test('ReduceLROnPlateau (max, absolute threshold, per-group minLr) matches PyTorch', () => {
  const opt = twoGroups();
  const sched = new ReduceLROnPlateau(opt, { mode: 'max', factor: 0.1, patience: 1, threshold: 0.05, thresholdMode: 'abs', minLr: [0, 0.004] });
  assertAllClose(sequence(opt, sched, 20, 'lr', plateauMaxMetrics), scheduleRefs.reduceLROnPlateauMaxAbs!, 'plateau max', 1e-12, 1e-15);
});

test('OneCycleLR refuses to step past totalSteps', () => {
  const opt = twoGroups();
  const sched = new OneCycleLR(opt, { maxLr: 1, totalSteps: 3 });
  assert.equal(sched.interval, 'batch');
  for (let i = 0; i < 3; i++) sched.step();
  assert.throws(() => sched.step(), /tried to step 5 times; the schedule has totalSteps 3/);
});

test('schedules record initialLr in the groups and reject bad settings', () => {
  const opt = twoGroups();
  new StepLR(opt, { stepSize: 2 });
  assert.deepEqual(opt.paramGroups.map((g) => g.initialLr), [0.1, 0.05]);
  assert.throws(() => new StepLR(opt, { stepSize: 0 }), /stepSize must be a positive integer/);
  assert.throws(() => new LambdaLR(opt, [(e) => e]), /expected 2 value\(s\) for lrLambda/);
  assert.throws(() => new LinearWarmup(opt, { warmupSteps: 5, startFactor: 0 }), /startFactor must be in \(0, 1\]/);
  assert.throws(() => new SequentialLR(opt, { schedulers: [new StepLR(opt, { stepSize: 2 })], milestones: [3] }), /expected 0 milestone/);
  assert.throws(() => new OneCycleLR(opt, { maxLr: 1 }), /give totalSteps, or both epochs and stepsPerEpoch/);
  const adagradLike = twoGroups();
  assert.throws(() => new ReduceLROnPlateau(adagradLike, { factor: 1 }), /factor must be < 1/);
});

test('a schedule restored from its state dict continues identically', () => {
  const make = (o: Optimizer<ParamGroup>) => new SequentialLR(o, {
    schedulers: [new LinearWarmup(o, { warmupSteps: 4, startFactor: 0.2 }), new CosineAnnealingLR(o, { tMax: 10, etaMin: 0.001 })],
    milestones: [4],
  });
  const a = twoGroups();
  const sa = make(a);
  for (let i = 0; i < 6; i++) sa.step();
  const saved = sa.stateDict();
  const b = twoGroups();
  const sb = make(b);
  sb.loadStateDict(saved);
  b.paramGroups.forEach((g, i) => { g.lr = a.paramGroups[i]!.lr; });
  for (let i = 0; i < 6; i++) {
    sa.step();
    sb.step();
    assert.deepEqual(sb.getLastLr(), sa.getLastLr());
  }
  // Plain data only: functions and the optimizer are not part of the state.
  const lambda = new LambdaLR(twoGroups(), (e) => e + 1);
  const sd = lambda.stateDict();
  assert.equal('lrLambdas' in sd, false);
  assert.equal('optimizer' in sd, false);
  assert.equal(sd.lastEpoch, 0);
  assert.throws(() => lambda.loadStateDict({ bogus: 1 }), /unexpected key\(s\) bogus/);

  const plateau = new ReduceLROnPlateau(twoGroups(), { patience: 0 });
  plateau.step(1);
  plateau.step(2);
  const restored = new ReduceLROnPlateau(twoGroups(), { patience: 0 });
  restored.loadStateDict(plateau.stateDict());
  assert.equal(restored.best, 1);
  assert.equal(restored.lastEpoch, 2);
});

test('step takes a metric only where one is needed; stepTo jumps to an epoch', () => {
  const plateau = new ReduceLROnPlateau(twoGroups(), { patience: 0 });
  const asSchedule: LRSchedule = plateau;
  assert.throws(() => asSchedule.step(), /ReduceLROnPlateau.step: needs the monitored metric \(e.g. step\(valLoss\) once per epoch\), got undefined/);
  // @ts-expect-error the concrete class says so at compile time
  assert.throws(() => plateau.step(), /needs the monitored metric/);
  assert.throws(() => plateau.step(Number.NaN), /must be a number or a one-element tensor/);
  assert.equal(plateau.lastEpoch, 0, 'rejected calls do not count as epochs');

  const opt = twoGroups();
  const steps = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
  const generic: LRSchedule = steps;
  generic.step();
  generic.step();
  assert.deepEqual(steps.getLastLr(), [0.05, 0.025]);
  steps.stepTo(5);
  assert.equal(steps.lastEpoch, 5);
  assert.deepEqual(steps.getLastLr(), [0.025, 0.0125]);
  assert.throws(() => steps.stepTo(-1), /StepLR.stepTo: epoch must be a non-negative integer, got -1/);
});
