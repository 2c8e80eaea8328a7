// Configs with `task: segmentation | multilabel` on a `voc` folder (the scenes data set)
// run end to end: training, test metrics in run.json, the scene report's figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeScenes } from '../../src/data/index.js';
import { decodeSubmission } from '../../src/metrics/index.js';
import { runExperiment, validateConfig, ConfigError } from '../../src/experiment/index.js';
import { skipWithout } from '../support/require-reference.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const skip = skipWithout('fashion-mnist');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-scenes-exp-'));
const data = path.join(tmp, 'scenes');

const base = (task: 'segmentation' | 'multilabel', model: Record<string, unknown>) => ({
  name: `tiny-${task}`, seed: 0, task, dataset: { kind: 'voc', root: data }, split: { val: 4 },
  transforms: { train: [{ name: 'RandomHorizontalFlip' }, { name: 'RandomAffine', degrees: 5 }], normalize: 'auto' },
  model, optimizer: { name: 'adam', lr: 0.003 }, epochs: 1, batchSize: 8,
});

test('task and dataset kind must agree', () => {
  assert.throws(() => validateConfig({ ...base('segmentation', { name: 'mlp' }), dataset: { kind: 'fashion-mnist' } }),
    (e: Error) => e instanceof ConfigError && /config\.task: task 'segmentation' reads dataset kind 'voc'/.test(e.message));
  assert.throws(() => validateConfig({ ...base('segmentation', { name: 'mlp' }), task: 'classification' }), /dataset kind 'voc' is for task 'segmentation' or 'multilabel'/);
  assert.throws(() => validateConfig({ ...base('segmentation', { name: 'deeplabv3plus-mobilenetv2', outputStride: 4 }) }), /config\.model\.outputStride/);
  assert.equal(validateConfig({ ...base('segmentation', { name: 'unet' }), segmentationLoss: 'lovasz' }).segmentationLoss, 'lovasz');
  assert.throws(() => validateConfig({ ...base('segmentation', { name: 'unet' }), segmentationLoss: 'jaccard' }), /config\.segmentationLoss: 'jaccard' is not one of cross-entropy, dice, focal, lovasz/);
  assert.throws(() => validateConfig({ ...base('multilabel', { name: 'mobilenet_v2' }), segmentationLoss: 'dice' }), /config\.segmentationLoss: only task 'segmentation' takes a segmentationLoss/);
});

test('segmentation and multi-label configs train on the scenes and write their reports', { skip }, async () => {
  await makeScenes(data, { seed: 2, size: 32, counts: { train: 16, val: 2, test: 6 } });
  const seg = await runExperiment({ ...base('segmentation', { name: 'deeplabv3plus-mobilenetv2', widthMult: 0.25, asppChannels: 16, decoderChannels: 16 }), segmentationLoss: 'lovasz' },
    { runsRoot: path.join(tmp, 'runs'), quiet: true });
  const segInfo = JSON.parse(readFileSync(path.join(seg.runDir, 'run.json'), 'utf8'));
  assert.equal(segInfo.task.name, 'segmentation');
  assert.ok(segInfo.test.mIoU >= 0 && segInfo.test.mIoU <= 1 && segInfo.test.samples === 6);
  for (const f of ['report.html', 'overlays.png', 'per_class_iou.png', 'learning_curves.png']) assert.ok(existsSync(path.join(seg.runDir, f)), f);

  const ml = await runExperiment(base('multilabel', { name: 'mobilenet_v2', widthMult: 0.25 }), { runsRoot: path.join(tmp, 'runs'), quiet: true });
  const mlInfo = JSON.parse(readFileSync(path.join(ml.runDir, 'run.json'), 'utf8'));
  assert.equal(mlInfo.task.name, 'multilabel');
  assert.deepEqual(mlInfo.classNames.length, 10);
  assert.ok(mlInfo.test.mAP > 0 && mlInfo.test.mAP <= 1);
  for (const f of ['report.html', 'per_class_ap.png', 'precision_recall.png', 'thresholds.png']) assert.ok(existsSync(path.join(ml.runDir, f)), f);

  // The submission for a folder of images, with labels from the multi-label run, decodes back.
  const sub = path.join(tmp, 'submission.csv');
  const r = spawnSync(process.execPath, [MAIN, 'predict', seg.runDir, path.join(data, 'JPEGImages'), '--submission', sub, '--labels-run', ml.runDir],
    { encoding: 'utf8', env: { ...process.env, VISIONLAB_QUIET: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /wrote 48 rows for 24 images/);
  const decoded = decodeSubmission(readFileSync(sub, 'utf8'), { numLabels: 10, height: 32, width: 32 }, sub);
  assert.equal(decoded.size, 24);
  for (const d of decoded.values()) assert.ok(d.labels.some((v) => v === 1), 'the top-1 fallback predicts at least one label');
  const wrong = spawnSync(process.execPath, [MAIN, 'predict', ml.runDir, data, '--submission', sub], { encoding: 'utf8' });
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /is a multilabel run; give the segmentation run/);
});
