import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type Tensor, loadSafetensors } from '../../src/torch/index.js';
import { SGD } from '../../src/optim/index.js';
import {
  fit, EarlyStopping, ModelCheckpoint, MetricsLogger, ProgressBar, formatEpochLine, StopTraining,
  snapshotWeights, disposeSnapshot, type Callback, type EpochLogs,
} from '../../src/train/index.js';
import { toyDataset, toyLoader, toyModel, maxAbsDiff } from './toy-data.js';

const dir = mkdtempSync(path.join(tmpdir(), 'visionlab-callbacks-'));
const train = toyDataset(128, 1);

/** Overwrites val_loss with a scripted sequence and snapshots the weights of every epoch. */
function scripted(values: number[]): Callback & { weights: Map<string, Tensor>[] } {
  const weights: Map<string, Tensor>[] = [];
  return {
    weights,
    onEpochEnd(epoch, logs, ctx) {
      logs.val_loss = values[epoch]!;
      weights.push(snapshotWeights(ctx.model));
    },
  };
}

test('EarlyStopping stops after `patience` epochs without improvement and restores the best weights', async () => {
  const model = toyModel(0);
  const script = scripted([1.0, 0.8, 0.85, 0.79, 0.9, 0.95, 0.7, 0.6]);
  const es = new EarlyStopping({ monitor: 'val_loss', patience: 2, minDelta: 0.02, restoreBestWeights: true });
  const history = await fit(model, toyLoader(train), {
    epochs: 8, optimizer: new SGD(model.parameters(), { lr: 0.1 }), callbacks: [script, es], verbose: false,
  });
  // 0.79 is not better than 0.8 by more than 0.02: the best stays epoch 1; epochs 2, 3 are bad -> stop after epoch 3.
  assert.equal(history.epochs.length, 4);
  assert.equal(es.stoppedEpoch, 3);
  assert.equal(es.bestEpoch, 1);
  assert.equal(es.best, 0.8);
  for (const [k, t] of model.stateDict()) assert.equal(maxAbsDiff(t, script.weights[1]!.get(k)!), 0, k);
  assert.ok(maxAbsDiff(model.stateDict().get('1.weight')!, script.weights[3]!.get('1.weight')!) > 0);
  script.weights.forEach(disposeSnapshot);
});

test('EarlyStopping in max mode (auto for accuracy) and StopTraining thrown from a callback', async () => {
  const model = toyModel(0);
  const es = new EarlyStopping({ monitor: 'val_accuracy', patience: 1 });
  assert.equal(es.mode, 'max');
  const acc: Callback = { onEpochEnd(e, logs) { logs.val_accuracy = [0.5, 0.6, 0.6, 0.7][e]!; } };
  const h = await fit(model, toyLoader(train), { epochs: 4, optimizer: new SGD(model.parameters(), { lr: 0.1 }), callbacks: [acc, es], verbose: false });
  assert.equal(h.epochs.length, 3);
  let ends = 0;
  const stopper: Callback = {
    onBatchEnd(b) { if (b === 1) throw new StopTraining(); },
    onTrainEnd() { ends++; },
  };
  const h2 = await fit(model, toyLoader(train), { epochs: 5, optimizer: new SGD(model.parameters(), { lr: 0.1 }), callbacks: [stopper], verbose: false });
  assert.equal(h2.epochs.length, 1, 'the epoch in progress is recorded, then training ends');
  assert.equal(ends, 1);
});

test('ModelCheckpoint writes best.safetensors following the monitored metric, and last.ckpt', async () => {
  const model = toyModel(0);
  const ckDir = path.join(dir, 'ck');
  const script = scripted([0.5, 0.3, 0.4, 0.35]);
  const mc = new ModelCheckpoint({ dir: ckDir, monitor: 'val_loss' });
  await fit(model, toyLoader(train), { epochs: 4, optimizer: new SGD(model.parameters(), { lr: 0.1 }), callbacks: [script, mc], verbose: false });
  assert.equal(mc.bestEpoch, 1);
  assert.ok(existsSync(path.join(ckDir, 'last.ckpt')));
  const best = await loadSafetensors(path.join(ckDir, 'best.safetensors'));
  for (const [k, t] of best) assert.equal(maxAbsDiff(t, script.weights[1]!.get(k)!), 0, k);
  assert.deepEqual([...best.keys()].sort(), [...model.stateDict().keys()].sort());
  const mcMax = new ModelCheckpoint({ dir: path.join(dir, 'ck2'), monitor: 'val_loss', mode: 'max', saveLast: false });
  const script2 = scripted([0.5, 0.3, 0.6, 0.35]);
  await fit(model, toyLoader(train), { epochs: 4, optimizer: new SGD(model.parameters(), { lr: 0.1 }), callbacks: [script2, mcMax], verbose: false });
  assert.equal(mcMax.bestEpoch, 2);
  assert.ok(!existsSync(path.join(dir, 'ck2', 'last.ckpt')));
  script.weights.forEach(disposeSnapshot);
  script2.weights.forEach(disposeSnapshot);
});

test('MetricsLogger writes one JSONL line and one CSV row per epoch, appended across runs', async () => {
  const model = toyModel(0);
  const jsonl = path.join(dir, 'm', 'metrics.jsonl');
  const csv = path.join(dir, 'm', 'metrics.csv');
  const val = toyLoader(toyDataset(64, 7));
  const history = await fit(model, toyLoader(train), {
    valData: val, epochs: 3, optimizer: new SGD(model.parameters(), { lr: 0.1 }), callbacks: [new MetricsLogger({ jsonl, csv })], verbose: false,
  });
  const lines = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EpochLogs);
  assert.equal(lines.length, 3);
  assert.deepEqual(lines, JSON.parse(JSON.stringify(history.epochs)));
  const rows = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(rows[0], 'epoch,loss,accuracy,val_loss,val_accuracy,lr,time_s');
  assert.equal(rows.length, 4);
  const r2 = rows[3]!.split(',').map(Number);
  assert.equal(r2[0], 2);
  assert.equal(r2[1], history.epochs[2]!.loss);
  assert.equal(r2[4], history.epochs[2]!.val_accuracy);
  // A second run appends below the same header.
  await fit(model, toyLoader(train), { epochs: 1, optimizer: new SGD(model.parameters(), { lr: 0.1 }), callbacks: [new MetricsLogger({ csv })], verbose: false });
  const again = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(again.length, 5);
  assert.equal(again[4]!.split(',').length, 7);
  assert.equal(again[4]!.split(',')[3], '', 'no validation: empty val_loss cell');
});

test('ProgressBar prints one plain line per epoch when not on a terminal', async () => {
  const logs: EpochLogs = { epoch: 2, loss: 0.43214, accuracy: 0.88123, val_loss: 0.5, val_accuracy: 0.8, lr: 0.1, time_s: 12.34 };
  assert.equal(formatEpochLine(2, 10, logs), 'epoch 3/10 - loss 0.4321 - accuracy 0.8812 - val_loss 0.5000 - val_accuracy 0.8000 - 12.3s');
  assert.equal(formatEpochLine(0, 1, { epoch: 0, loss: 1, accuracy: NaN, lr: 0.1, time_s: 0.04 }), 'epoch 1/1 - loss 1.0000 - 0.0s');
  let out = '';
  const stream = Object.assign(new Writable({ write(chunk, _e, cb) { out += String(chunk); cb(); } }), { isTTY: false });
  const bar = new ProgressBar({ stream });
  assert.equal(bar.wantsBatchEvents, false);
  const model = toyModel(0);
  await fit(model, toyLoader(train), { epochs: 2, optimizer: new SGD(model.parameters(), { lr: 0.1 }), callbacks: [bar], verbose: false });
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^epoch 1\/2 - loss \d\.\d{4} - accuracy \d\.\d{4} - \d+\.\ds$/);
  assert.match(lines[1]!, /^epoch 2\/2 /);
  // Live mode redraws with carriage returns and an ETA.
  out = '';
  await fit(model, toyLoader(train), { epochs: 1, optimizer: new SGD(model.parameters(), { lr: 0.1 }), callbacks: [new ProgressBar({ stream, live: true })], verbose: false });
  assert.match(out, /\r.*\[=*>?\.*\] \d+\/4 ETA/);
  assert.match(out, /\repoch 1\/1 - loss/);
});
