// What the trainer and the run report write for the dashboard: a validation confusion
// matrix per epoch (confusion.jsonl) and the first test samples with their predictions,
// t-SNE and PCA layouts and a thumbnail sprite (samples.json, thumbnails.png).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { tensor, tidy } from '../../src/torch/index.js';
import { Adam } from '../../src/optim/index.js';
import { pca, confusionMatrix } from '../../src/metrics/index.js';
import { fit, evaluate, createRunDir, writeRunReport, ConfusionLogger, type ConfusionEntry, type SamplesFile } from '../../src/train/index.js';
import { toyDataset, toyLoader, toyModel, CLASS_NAMES } from './toy-data.js';

const root = mkdtempSync(path.join(tmpdir(), 'visionlab-dashfiles-'));

test('ConfusionLogger writes the validation confusion matrix of every epoch, and the errors shrink as the model learns', async () => {
  const run = createRunDir(root, 'confusion');
  const model = toyModel(0);
  const val = toyLoader(toyDataset(96, 3, 1.5));
  const file = run.file('confusion.jsonl');
  await fit(model, toyLoader(toyDataset(256, 1, 1.5), { shuffle: true }), {
    valData: val, epochs: 4, optimizer: new Adam(model.parameters(), { lr: 0.003 }), verbose: false,
    callbacks: [new ConfusionLogger({ file, classNames: CLASS_NAMES })],
  });
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ConfusionEntry);
  assert.deepEqual(lines.map((l) => l.epoch), [0, 1, 2, 3]);
  for (const l of lines) {
    assert.deepEqual(l.classes, CLASS_NAMES);
    assert.equal(l.matrix.flat().reduce((a, b) => a + b, 0), 96);
  }
  const ev = await evaluate(model, val);
  assert.deepEqual(lines[3]!.matrix, confusionMatrix(ev.yTrue, ev.yPred, CLASS_NAMES.length));
  const correct = (m: number[][]) => m.reduce((s, row, i) => s + row[i]!, 0);
  assert.ok(correct(lines[3]!.matrix) / 96 > 0.8, `final validation accuracy ${correct(lines[3]!.matrix) / 96}`);
  assert.ok(correct(lines[3]!.matrix) > correct(lines[0]!.matrix) || correct(lines[0]!.matrix) / 96 > 0.9);
  // A resumed run drops the lines of the epochs it repeats.
  writeFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join('') + '{"epoch":4,"cla');
  new ConfusionLogger({ file, classNames: CLASS_NAMES }).onTrainBegin({ epochs: 4, initialEpoch: 2 });
  assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as ConfusionEntry).epoch), [0, 1]);
  assert.throws(() => new ConfusionLogger({ file, classNames: [] }), /classNames is empty/);
});

test('pca of 2-D points is a rotation: centred, pairwise distances kept, most variance on the first axis', () => {
  const pts = [[0, 0], [4, 1], [8, 2.5], [12, 2.8], [2, -0.5], [6, 1.2]];
  const out = tidy(() => pca(tensor(Float32Array.from(pts.flat()), { shape: [6, 2] })));
  const at = (i: number) => [out[2 * i]!, out[2 * i + 1]!];
  const dist = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
  for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) assert.ok(Math.abs(dist(at(i), at(j)) - dist(pts[i]!, pts[j]!)) < 1e-4);
  const mean = (k: number) => pts.reduce((s, _, i) => s + at(i)[k]!, 0) / 6;
  assert.ok(Math.abs(mean(0)) < 1e-5 && Math.abs(mean(1)) < 1e-5);
  const variance = (k: number) => pts.reduce((s, _, i) => s + at(i)[k]! ** 2, 0);
  assert.ok(variance(0) > 10 * variance(1));
  assert.throws(() => pca(tensor(Float32Array.from([1, 2, 3]), { shape: [3] })), /expected features \[N, D\]/);
  assert.throws(() => tidy(() => pca(tensor(Float32Array.from(pts.flat()), { shape: [6, 2] }), 3)), /components must be/);
});

test('the run report writes samples.json (top-5, loss, t-SNE, PCA) and a sprite with one tile per sample', async () => {
  const run = createRunDir(root, 'samples');
  const model = toyModel(0);
  const testLoader = toyLoader(toyDataset(64, 3));
  await fit(model, toyLoader(toyDataset(256, 1), { shuffle: true }), { epochs: 3, optimizer: new Adam(model.parameters(), { lr: 0.01 }), verbose: false });
  const result = await writeRunReport(run, { model, testData: testLoader, classNames: CLASS_NAMES, embeddingPoints: 40, tsneIterations: 50 });
  assert.ok(result.files.includes('samples.json') && result.files.includes('thumbnails.png'));
  const file = JSON.parse(readFileSync(run.file('samples.json'), 'utf8')) as SamplesFile;
  assert.equal(file.samples.length, 40);
  const ev = await evaluate(model, testLoader, { probs: true });
  const probs = ev.probs!.toTypedArray() as Float32Array;
  ev.probs!.dispose();
  file.samples.forEach((s, i) => {
    assert.equal(s.index, i);
    assert.equal(s.label, ev.yTrue[i]);
    assert.equal(s.predicted, ev.yPred[i]);
    assert.equal(s.top5.length, CLASS_NAMES.length);
    assert.equal(s.top5[0]![0], s.predicted);
    assert.ok(Math.abs(s.confidence - probs[i * 4 + s.predicted]!) < 1e-6);
    assert.ok(Math.abs(s.loss + Math.log(probs[i * 4 + s.label]!)) < 1e-4);
    assert.ok(s.tsne!.every(Number.isFinite) && s.pca!.every(Number.isFinite));
  });
  const accuracy = file.samples.filter((s) => s.label === s.predicted).length / 40;
  assert.ok(accuracy > 0.8, `accuracy ${accuracy}`);
  const meta = await sharp(run.file('thumbnails.png')).metadata();
  assert.deepEqual(file.thumbnails, { file: 'thumbnails.png', tileWidth: 8, tileHeight: 8, columns: 32 });
  assert.deepEqual([meta.width, meta.height], [32 * 8, 2 * 8]);
});
