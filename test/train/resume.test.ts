import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Adam, StepLR } from '../../src/optim/index.js';
import { RandomHorizontalFlip, GaussianNoise, Compose } from '../../src/data/index.js';
import { fit, saveCheckpoint, loadCheckpoint, ModelCheckpoint, History } from '../../src/train/index.js';
import { toyDataset, toyLoader, toyModel, maxAbsDiff } from './toy-data.js';

const dir = mkdtempSync(path.join(tmpdir(), 'visionlab-resume-'));
const train = toyDataset(192, 5);
const augment = () => new Compose([new RandomHorizontalFlip(0.5), new GaussianNoise(0.1)]);

function setup() {
  const model = toyModel(11, { dropout: 0.3 });
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const schedule = new StepLR(optimizer, { stepSize: 1, gamma: 0.7 });
  const loader = toyLoader(train, { shuffle: true, seed: 9, transform: augment() });
  return { model, optimizer, schedule, loader };
}

test('2 epochs + checkpoint + resume to 4 gives exactly the weights of 4 straight epochs', async () => {
  const straight = setup();
  const h4 = await fit(straight.model, straight.loader, { epochs: 4, optimizer: straight.optimizer, schedule: straight.schedule, seed: 42, verbose: false });

  const first = setup();
  const ckptDir = path.join(dir, 'ckpt');
  await fit(first.model, first.loader, {
    epochs: 2, optimizer: first.optimizer, schedule: first.schedule, seed: 42, verbose: false,
    callbacks: [new ModelCheckpoint({ dir: ckptDir, monitor: 'loss' })],
  });

  const resumed = setup(); // fresh model, optimizer, schedule and loader
  const h = await fit(resumed.model, resumed.loader, {
    epochs: 4, optimizer: resumed.optimizer, schedule: resumed.schedule, resumeFrom: path.join(ckptDir, 'last.ckpt'), verbose: false,
  });
  assert.equal(h.epochs.length, 4);
  assert.deepEqual(h.epochs.map((e) => e.epoch), [0, 1, 2, 3]);
  assert.deepEqual(h.epochs.map((e) => e.loss), h4.epochs.map((e) => e.loss));
  const a = straight.model.stateDict(), b = resumed.model.stateDict();
  for (const [k, t] of a) assert.equal(maxAbsDiff(t, b.get(k)!), 0, k);
  assert.equal(resumed.optimizer.paramGroups[0]!.lr, straight.optimizer.paramGroups[0]!.lr);
  // The resumed run's dropout really consumed random numbers (weights differ from a run without restored RNG).
  assert.ok(h4.epochs[3]!.loss < h4.epochs[0]!.loss);
});

test('saveCheckpoint/loadCheckpoint round-trip epoch, history, optimizer state and extra', async () => {
  const s = setup();
  await fit(s.model, s.loader, { epochs: 1, optimizer: s.optimizer, verbose: false });
  const file = path.join(dir, 'manual.ckpt');
  const history = new History([{ epoch: 0, loss: 1.5, accuracy: 0.5, lr: 0.01, time_s: 1, val_loss: Infinity }]);
  await saveCheckpoint(file, { model: s.model, optimizer: s.optimizer, epoch: 1, history, loader: s.loader, extra: { note: 'x' } });
  const t = setup();
  const back = await loadCheckpoint(file, { model: t.model, optimizer: t.optimizer, loader: t.loader });
  assert.equal(back.epoch, 1);
  assert.equal(back.loaderEpoch, 1);
  assert.equal(t.loader.epoch, 1);
  assert.deepEqual(back.extra, { note: 'x' });
  assert.equal(back.history.epochs[0]!.val_loss, Infinity);
  for (const [k, v] of s.model.stateDict()) assert.equal(maxAbsDiff(v, t.model.stateDict().get(k)!), 0);
  const sa = s.optimizer.stateDict().state, sb = t.optimizer.stateDict().state;
  assert.equal(sb.size, sa.size);
  assert.equal(sb.get(0)!.step, sa.get(0)!.step);
  assert.equal(maxAbsDiff(sa.get(0)!.exp_avg as never, sb.get(0)!.exp_avg as never), 0);
});

test('missing or corrupt checkpoints fail with the file name', async () => {
  const s = setup();
  const missing = path.join(dir, 'nope.ckpt');
  await assert.rejects(loadCheckpoint(missing, { model: s.model }), (e: Error) => e.message.includes(missing));
  await assert.rejects(fit(s.model, s.loader, { epochs: 1, optimizer: s.optimizer, resumeFrom: missing, verbose: false }), /nope\.ckpt/);
  const garbage = path.join(dir, 'garbage.ckpt');
  writeFileSync(garbage, 'not a checkpoint at all');
  await assert.rejects(loadCheckpoint(garbage, { model: s.model }), (e: Error) => e.message.includes(garbage) && /not a usable checkpoint/.test(e.message));
  // Truncated: a real checkpoint cut in half.
  const good = path.join(dir, 'manual.ckpt');
  const cut = path.join(dir, 'cut.ckpt');
  const bytes = readFileSync(good);
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await assert.rejects(loadCheckpoint(cut, { model: s.model }), (e: Error) => e.message.includes(cut));
  // Wrong architecture.
  await assert.rejects(loadCheckpoint(good, { model: toyModel(1, { hidden: 16, dropout: 0.3 }) }), /shape/);
});
