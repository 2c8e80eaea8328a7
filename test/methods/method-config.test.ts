// config.method: validation, and a run from a config where the method reaches the trainer
// (its per-epoch records land in the run's metrics).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validateConfig, runExperiment, loadPredictiveModel, loadExperimentData } from '../../src/experiment/index.js';
import { buildMethod } from '../../src/methods/index.js';
import { loadSafetensors } from '../../src/torch/index.js';
import { createModel } from '../../src/models/index.js';
import { writeSyntheticNpy, writeSyntheticLabelledDir } from '../cli/synthetic-data.js';

const base = { name: 'm', dataset: { kind: 'fashion-mnist' }, model: { name: 'mlp' }, optimizer: { name: 'adam', lr: 0.001 }, epochs: 1, batchSize: 8 };

test('config.method is validated per method, naming the field', () => {
  assert.equal(validateConfig({ ...base, method: { name: 'self-paced', weighting: 'mixture' } }).method?.name, 'self-paced');
  assert.throws(() => validateConfig({ ...base, method: { name: 'noise-magic' } }), /config\.method.*'noise-magic' is not one of self-paced, gce/);
  assert.throws(() => validateConfig({ ...base, method: { name: 'self-paced', weighting: 'hard', pace: 'growth' } }), /config\.method\.growth: required for the growth pace/);
  assert.throws(() => validateConfig({ ...base, method: { name: 'gce', q: 2 } }), /config\.method\.q/);
  assert.throws(() => validateConfig({ ...base, method: { name: 'forward-correction' } }), /config\.method\.transition: 'clean-subset' needs labelNoise\.cleanSubset/);
  assert.ok(validateConfig({ ...base, labelNoise: { kind: 'symmetric', rate: 0.3, cleanSubset: 100 }, method: { name: 'forward-correction' } }));
});

test('a self-paced run from a config records the admitted fraction and label precision per epoch, and learns', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'visionlab-method-'));
  try {
    writeSyntheticNpy(path.join(dir, 'data'), 600, 90);
    const cfg = {
      name: 'spl', dataset: { kind: 'npy', root: path.join(dir, 'data') }, labelNoise: { kind: 'symmetric', rate: 0.3 },
      transforms: { normalize: 'auto' }, model: { name: 'mlp', hidden: 64 }, optimizer: { name: 'adam', lr: 0.003 }, epochs: 6, batchSize: 32,
      method: { name: 'self-paced', weighting: 'linear', startFraction: 0.5, endFraction: 0.7 },
    };
    await assert.rejects(runExperiment(cfg, { quiet: true, runsRoot: path.join(dir, 'runs') }), /config\.method: 'self-paced' needs a method builder/);
    const r = await runExperiment(cfg, { quiet: true, runsRoot: path.join(dir, 'runs'), buildMethod });
    const lines = readFileSync(path.join(r.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | null>);
    assert.equal(lines.length, 6);
    assert.equal(lines[0]!.spl_admitted, 1, 'the warm-up epoch admits every sample');
    for (const l of lines.slice(1)) {
      assert.ok(l.spl_admitted! < 0.8 && l.spl_admitted! > 0.4, `admitted ${l.spl_admitted}`);
      assert.ok(l.spl_label_precision! > 0.7 + 0.1, `label precision ${l.spl_label_precision} (labels correct overall about 0.7)`);
    }
    assert.ok(r.testAccuracy > 0.7, `test accuracy ${r.testAccuracy} (chance 0.33)`);
    const html = readFileSync(path.join(r.runDir, 'report.html'), 'utf8');
    for (const f of ['self_paced_admitted.png', 'self_paced_lambda.png', 'self_paced_weights.png']) {
      assert.ok(readFileSync(path.join(r.runDir, f)).subarray(1, 4).toString() === 'PNG', `${f} is a PNG`);
      assert.ok(html.includes(f), `report.html shows ${f}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('co-teaching, label-cleaning and anchor-estimated forward-correction runs from configs train, save the configured model alone and report', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'visionlab-method-'));
  try {
    writeSyntheticNpy(path.join(dir, 'data'), 600, 90);
    const common = {
      dataset: { kind: 'npy', root: path.join(dir, 'data') }, transforms: { normalize: 'auto' }, model: { name: 'mlp', hidden: 64 },
      optimizer: { name: 'adam', lr: 0.003 }, epochs: 6, batchSize: 32,
    };
    assert.throws(() => validateConfig({ ...common, name: 'x', method: { name: 'label-cleaning' } }), /config\.method\.name: 'label-cleaning' trains its cleaner on trusted labels: set labelNoise\.cleanSubset/);
    const runs = [
      { name: 'co', labelNoise: { kind: 'symmetric', rate: 0.4 }, method: { name: 'co-teaching', rampEpochs: 2 }, record: 'coteach_label_precision', figure: 'co_teaching.png' },
      { name: 'clean', labelNoise: { kind: 'symmetric', rate: 0.5, cleanSubset: 150 }, method: { name: 'label-cleaning', embedding: 16 }, record: 'cleaner_agreement', figure: 'label_cleaning.png' },
      // Without trusted labels T comes from anchor points of a first model; the report shows it beside the true T.
      { name: 'fc', labelNoise: { kind: 'symmetric', rate: 0.3 }, method: { name: 'forward-correction', transition: 'estimate', estimateEpochs: 3 }, record: 'accuracy', figure: 'transition_estimated.png' },
    ];
    for (const { record, figure, ...run } of runs) {
      const r = await runExperiment({ ...common, ...run }, { quiet: true, runsRoot: path.join(dir, 'runs'), buildMethod });
      const lines = readFileSync(path.join(r.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | null>);
      assert.ok(lines.at(-1)![record]! > (record === 'accuracy' ? 0.55 : 0.8), `${run.name}: ${record} ${lines.at(-1)![record]}`);
      const keys = Object.keys(await loadSafetensors(path.join(r.runDir, 'model.safetensors'))).sort();
      assert.deepEqual(keys, Object.keys(createModel('mlp', { numClasses: 3, inChannels: 1, inputSize: 16, hidden: 64 }).stateDict()).sort(), `${run.name}: the saved weights are the configured mlp's`);
      assert.ok(r.testAccuracy > 0.7, `${run.name}: test accuracy ${r.testAccuracy} (chance 0.33)`);
      assert.ok(readFileSync(path.join(r.runDir, 'report.html'), 'utf8').includes(figure), `${run.name}: report.html shows ${figure}`);
    }
    // The last run as the study's predictive_model(image) -> label, on stored test images.
    const predictive = await loadPredictiveModel(path.join(dir, 'runs', readdirSync(path.join(dir, 'runs')).sort().at(-1)!));
    const { test: testSet } = await loadExperimentData(validateConfig({ ...common, name: 'x' }));
    const { inputs, targets } = testSet.getBatch(Int32Array.from({ length: testSet.length }, (_, i) => i));
    const one = predictive(inputs.select(0, 0));
    const all = predictive(inputs) as Int32Array;
    const truth = targets.toFlatArray();
    assert.equal(typeof one, 'number');
    assert.equal(one, all[0]);
    assert.ok(all.filter((l, i) => l === truth[i]).length / all.length > 0.7, 'the predictive model of a run labels its test images');
    assert.throws(() => predictive(inputs.narrow(3, 0, 8)), /expected an image \[1, 16, 16\] or a batch \[N, 1, 16, 16\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('on the study layout read with trusted labels, label cleaning and the clean-subset transition learn from the trusted images', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'visionlab-method-'));
  try {
    await writeSyntheticLabelledDir(path.join(dir, 'study'), 600, 200, 0.45);
    const common = {
      dataset: { kind: 'labelled-dir', root: path.join(dir, 'study'), labels: 'trusted', trustedTest: 80, channels: 1, size: 16, classNames: ['h', 'v', 's'] },
      transforms: { normalize: 'auto' }, model: { name: 'mlp', hidden: 64 }, optimizer: { name: 'adam', lr: 0.003 }, epochs: 6, batchSize: 32,
    };
    assert.throws(() => validateConfig({ ...common, name: 'x', dataset: { ...common.dataset, labels: 'noisy' } }), /config\.dataset\.trustedTest: only with labels 'trusted'/);
    const data = await loadExperimentData(validateConfig({ ...common, name: 'x' }));
    assert.equal(data.test.length, 80, 'the held-out trusted images are the test split');
    assert.equal(data.train.length, 520);
    assert.equal(data.trusted!.indices.length, 120);
    // Trusted images train with their true label; their noisy one is wrong at about the file's rate (0.45).
    const t = data.trusted!;
    const wrong = Array.from(t.indices).filter((i) => t.noisyLabels[i] !== data.train.labels![i]).length / t.indices.length;
    assert.ok(wrong > 0.3 && wrong < 0.6, `noisy labels of trusted images wrong ${wrong}`);
    for (const run of [{ name: 'lc', method: { name: 'label-cleaning', embedding: 16 } }, { name: 'fc', method: { name: 'forward-correction' } }]) {
      const r = await runExperiment({ ...common, ...run }, { quiet: true, runsRoot: path.join(dir, 'runs'), buildMethod });
      assert.ok(r.testAccuracy > 0.8, `${run.name}: test accuracy ${r.testAccuracy} on the held-out trusted images (chance 0.33)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
