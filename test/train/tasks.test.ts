import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Tensor, tidy, keep, zeros, randn, tensor, manualSeed, liveTensorCount } from '../../src/torch/index.js';
import { TensorDataset } from '../../src/data/index.js';
import { Sequential, Flatten, Linear, mseLoss, crossEntropy, type Module } from '../../src/nn/index.js';
import { Adam, SGD, StepLR } from '../../src/optim/index.js';
import {
  fit, evaluate, predict, ClassificationTask, type Task, type StepBatch, type EpochMetrics, type Callback, type StepState,
} from '../../src/train/index.js';
import { toyDataset, toyLoader, toyModel, maxAbsDiff } from './toy-data.js';

const dir = mkdtempSync(path.join(tmpdir(), 'visionlab-tasks-'));

/** A regression task the trainer has never heard of: predict the mean pixel of each image. */
class MeanPixelTask implements Task {
  readonly name = 'mean-pixel';
  readonly metricNames = ['mae'] as const;
  readonly primaryMetric = 'mae';
  forward(model: Module, batch: StepBatch): Tensor {
    return (model.call(batch.inputs) as Tensor).reshape([-1]);
  }
  loss(outputs: Tensor, batch: StepBatch, reduction: 'mean' | 'none'): Tensor {
    return mseLoss(outputs, batch.targets, { reduction });
  }
  createMetrics(device: string): EpochMetrics {
    const abs = keep(zeros([], { dtype: 'float64', device }));
    let n = 0;
    return {
      update: (outputs, batch) => { abs.add_(outputs.sub(batch.targets).abs().sum()); n += outputs.shape[0]!; },
      compute: () => ({ mae: abs.item() / n }),
      stateDict: () => ({ abs: abs.item(), n }),
      loadStateDict: (s) => { abs.fill_(s.abs!); n = s.n!; },
      dispose: () => abs.dispose(),
    };
  }
  predict(outputs: Tensor): Tensor { return outputs; }
}

function meanPixelData(n: number, seed: number): TensorDataset {
  manualSeed(seed);
  const { x, y } = tidy(() => {
    const x = randn([n, 1, 4, 4]);
    return { x, y: x.mean([1, 2, 3]) };
  });
  return new TensorDataset(keep(x), keep(y), []);
}

test('a task the loop does not know: its metrics are logged under their names, train and validation', async () => {
  manualSeed(0);
  const model = new Sequential(new Flatten(), new Linear(16, 1));
  const task = new MeanPixelTask();
  const train = toyLoader(meanPixelData(256, 1), { shuffle: true });
  const val = toyLoader(meanPixelData(128, 2));
  const h = await fit(model, train, { task, valData: val, epochs: 8, optimizer: new Adam(model.parameters(), { lr: 0.05 }), verbose: false });
  const last = h.last!;
  assert.equal(last.accuracy, undefined, 'no accuracy for a regression task');
  assert.ok(last.mae! < 0.05 && last.val_mae! < 0.05, `mae ${last.mae} val_mae ${last.val_mae}`);
  assert.ok(last.mae! < h.epochs[0]!.mae!);
  const ev = await evaluate(model, val, { task });
  assert.equal(ev.metrics.mae, last.val_mae);
  assert.equal(ev.loss, last.val_loss);
  assert.ok(Number.isNaN(ev.accuracy));
  const before = liveTensorCount();
  const p = await predict(model, val, { task });
  assert.deepEqual(p.probs.shape, [128]);
  assert.equal(p.labels.length, 0, 'a task without labels predicts none');
  p.probs.dispose();
  assert.equal(liveTensorCount(), before);
});

test('step hooks run in order around one step and can replace the loss or skip the update', async () => {
  const model = toyModel(3);
  const seen: string[] = [];
  const sampleShapes: number[][] = [];
  const hooks: Callback = {
    needsSampleLosses: true,
    afterForward: (s) => { seen.push(`forward ${s.outputs!.shape[1]}`); },
    afterLoss: (s) => {
      seen.push('loss');
      sampleShapes.push(s.sampleLosses!.shape);
      s.loss = s.loss!.mul(0); // a zero objective: no gradient
    },
    afterBackward: () => { seen.push('backward'); },
    beforeStep: (s: StepState) => { seen.push('step'); s.skipStep = s.batch === 1; },
  };
  const w0 = tidy(() => model.parameters()[0]!.clone());
  const loader = toyLoader(toyDataset(64, 1));
  await fit(model, loader, { epochs: 1, optimizer: new SGD(model.parameters(), { lr: 0.1 }), callbacks: [hooks], verbose: false });
  assert.deepEqual(seen.slice(0, 4), ['forward 4', 'loss', 'backward', 'step']);
  assert.equal(seen.length, 8, 'two batches, four hooks each');
  assert.deepEqual(sampleShapes, [[32], [32]]);
  assert.equal(maxAbsDiff(model.parameters()[0]!, w0), 0, 'zeroed loss leaves the weights alone');
  w0.dispose();
});

test('class weights belong to the task; fit refuses both a task and its own loss options', async () => {
  const model = toyModel(1);
  const loader = toyLoader(toyDataset(64, 2));
  await assert.rejects(
    fit(model, loader, { epochs: 1, optimizer: new SGD(model.parameters(), { lr: 0.1 }), task: new ClassificationTask(), classWeights: [1, 1, 1, 1] }),
    /give them to the task/,
  );
  // With lr 0 the epoch's loss is the weighted cross-entropy of the untrained model.
  const weight = [3, 0.5, 1, 2];
  const full = toyLoader(toyDataset(64, 2), { batchSize: 64 });
  const h = await fit(model, full, { epochs: 1, optimizer: new SGD(model.parameters(), { lr: 0 }), task: new ClassificationTask({ classWeights: weight }), verbose: false, precision: 'fp32' });
  const expected = tidy(() => {
    const ds = full.dataset as TensorDataset;
    return crossEntropy(model.call(ds.images) as Tensor, ds.targets, { weight: tensor(Float32Array.from(weight)) }).item();
  });
  const plain = tidy(() => crossEntropy(model.call((full.dataset as TensorDataset).images) as Tensor, (full.dataset as TensorDataset).targets).item());
  assert.ok(Math.abs(h.last!.loss - expected) < 1e-6, `loss ${h.last!.loss} against weighted cross-entropy ${expected}`);
  assert.ok(Math.abs(expected - plain) > 1e-3, 'the weights change the loss');
});

test('checkpoints every N steps resume mid-epoch to exactly the straight run (weights and epoch logs)', async () => {
  const train = toyDataset(160, 5);
  const setup = () => {
    const model = toyModel(11, { dropout: 0.3 });
    const optimizer = new Adam(model.parameters(), { lr: 0.01 });
    const schedule = new StepLR(optimizer, { stepSize: 1, gamma: 0.7 });
    return { model, optimizer, schedule, loader: toyLoader(train, { shuffle: true, seed: 9 }) };
  };
  const straight = setup();
  const h3 = await fit(straight.model, straight.loader, { epochs: 3, optimizer: straight.optimizer, schedule: straight.schedule, seed: 4, verbose: false });

  // A run that dies before step 8 (epoch 1, batch 3 of 5) with a checkpoint every 7 steps.
  const ckpt = path.join(dir, 'mid');
  const killed = setup();
  await assert.rejects(fit(killed.model, killed.loader, {
    epochs: 3, optimizer: killed.optimizer, schedule: killed.schedule, seed: 4, verbose: false,
    callbacks: [{ onBatchBegin: (_b, _l, ctx) => { if (ctx.globalStep === 7) throw new Error('killed'); } }],
    checkpointDir: ckpt, checkpointEvery: 7,
  }), /killed/);

  const resumed = setup();
  const h = await fit(resumed.model, resumed.loader, {
    epochs: 3, optimizer: resumed.optimizer, schedule: resumed.schedule, resumeFrom: path.join(ckpt, 'last.ckpt'), verbose: false,
  });
  assert.deepEqual(h.epochs.map((e) => e.epoch), [0, 1, 2]);
  assert.deepEqual(h.epochs.map((e) => [e.loss, e.accuracy]), h3.epochs.map((e) => [e.loss, e.accuracy]));
  for (const [k, t] of straight.model.stateDict()) assert.equal(maxAbsDiff(t, resumed.model.stateDict().get(k)!), 0, k);
});
