import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Adam } from '../../src/optim/index.js';
import { fit, evaluate, extractFeatures, createRunDir, openRunDir, writeRunReport, MetricsLogger } from '../../src/train/index.js';
import { toyDataset, toyLoader, toyModel, CLASS_NAMES } from './toy-data.js';

const root = mkdtempSync(path.join(tmpdir(), 'visionlab-runs-'));

test('createRunDir makes unique timestamped directories; openRunDir reads config and history back', () => {
  const a = createRunDir(root, 'mlp');
  const b = createRunDir(root, 'mlp');
  assert.match(a.name, /^mlp-\d{8}-\d{6}$/);
  assert.notEqual(a.path, b.path);
  assert.ok(existsSync(a.checkpointsDir));
  a.writeConfig({ lr: 0.01, epochs: 3 });
  const opened = openRunDir(a.path);
  assert.deepEqual(opened.config, { lr: 0.01, epochs: 3 });
  assert.equal(opened.history.length, 0);
  assert.throws(() => openRunDir(path.join(root, 'missing')), /missing is not a directory/);
  assert.throws(() => createRunDir(root, '../x'), /plain file name/);
});

test('writeRunReport writes the report, figures, embedding and metrics.json matching evaluate()', async () => {
  const run = createRunDir(root, 'report');
  const model = toyModel(0);
  const testLoader = toyLoader(toyDataset(96, 3));
  await fit(model, toyLoader(toyDataset(256, 1), { shuffle: true }), {
    valData: testLoader, epochs: 3, optimizer: new Adam(model.parameters(), { lr: 0.01 }), verbose: false,
    callbacks: [new MetricsLogger({ jsonl: run.metricsJsonl, csv: run.metricsCsv })],
  });
  const history = run.readHistory();
  assert.equal(history.length, 3);
  const result = await writeRunReport(run, { model, testData: testLoader, classNames: CLASS_NAMES, history, config: { model: 'toy' }, tsneIterations: 100 });
  for (const f of ['report.html', 'learning_curves.png', 'confusion_matrix.png', 'per_class_accuracy.png', 'predictions.png', 'embedding.csv', 'embedding.png', 'metrics.json']) {
    assert.ok(existsSync(run.file(f)), f);
    if (f.endsWith('.png')) assert.deepEqual([...readFileSync(run.file(f)).subarray(1, 4)], [0x50, 0x4e, 0x47], `${f} is a PNG`);
  }
  const ev = await evaluate(model, testLoader);
  const metrics = JSON.parse(readFileSync(run.metricsJson, 'utf8'));
  assert.equal(metrics.test_accuracy, ev.accuracy);
  assert.ok(Math.abs(metrics.test_loss - ev.loss) < 1e-9);
  assert.equal(metrics.num_test_samples, 96);
  const supports = CLASS_NAMES.map((c) => metrics.per_class[c].support);
  assert.equal(supports.reduce((a: number, b: number) => a + b, 0), 96);
  // Per-class accuracy is the confusion matrix's diagonal over its row sums.
  CLASS_NAMES.forEach((c, k) => {
    const row = result.confusion[k]!;
    assert.equal(metrics.per_class[c].accuracy, row[k]! / row.reduce((a, b) => a + b, 0));
  });
  const html = readFileSync(run.reportHtml, 'utf8');
  for (const f of ['learning_curves.png', 'confusion_matrix.png', 'embedding.png', 'predictions.png']) assert.ok(html.includes(`src="${f}"`), f);
  // Embedding: written once, as the t-SNE layout of the test samples with true and predicted labels.
  assert.ok(!existsSync(run.file('embedding.json')), 'the embedding is written twice');
  const csv = readFileSync(run.file('embedding.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'x,y,label,predicted,class,predicted_class');
  const rows = csv.slice(1).map((l) => l.split(','));
  assert.equal(rows.length, 96);
  assert.deepEqual(rows.map((r) => Number(r[2])), Array.from(ev.yTrue));
  assert.deepEqual(rows.map((r) => Number(r[3])), Array.from(ev.yPred));
  assert.deepEqual(rows.map((r) => r[4]), Array.from(ev.yTrue, (c) => CLASS_NAMES[c]));
  const xy = rows.map((r) => [Number(r[0]), Number(r[1])] as const);
  assert.ok(xy.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)), 'non-finite embedding coordinates');
  assert.ok(new Set(xy.map(([x, y]) => `${x},${y}`)).size > 90, 'the embedding collapsed to a few points');
  // Fewer points when asked; no embedding at all below what t-SNE can lay out.
  const small = createRunDir(root, 'report-small');
  await writeRunReport(small, { model, testData: testLoader, classNames: CLASS_NAMES, history, embeddingPoints: 20, tsneIterations: 50 });
  assert.equal(readFileSync(small.file('embedding.csv'), 'utf8').trim().split('\n').length, 21);
  const none = createRunDir(root, 'report-none');
  const r = await writeRunReport(none, { model, testData: testLoader, classNames: CLASS_NAMES, history, embeddingPoints: 3 });
  assert.ok(!existsSync(none.file('embedding.csv')) && !existsSync(none.file('embedding.png')) && !r.files.includes('embedding.csv'));
  // The features behind the embedding: penultimate (32-wide), in the evaluation's order.
  const { features, labels } = await extractFeatures(model, testLoader);
  assert.deepEqual(features.shape, [96, 32]);
  assert.deepEqual(Array.from(labels), Array.from(ev.yTrue));
  features.dispose();
  const first = await extractFeatures(model, testLoader, { maxSamples: 20 });
  assert.deepEqual(first.features.shape, [20, 32]);
  first.features.dispose();
});
