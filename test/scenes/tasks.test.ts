// The segmentation and multi-label tasks: on-device metrics equal to the reference metrics
// of metrics/, losses that skip the ignore index, checkpointable state, and learning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tidy, keep, randn, randint, rand, tensor, manualSeed, zeros } from '../../src/torch/index.js';
import { TensorDataset, DataLoader } from '../../src/data/index.js';
import { Sequential, Conv2d, ReLU, Linear, Flatten } from '../../src/nn/index.js';
import { Adam } from '../../src/optim/index.js';
import { fit, evaluate, SegmentationTask, MultilabelTask, type StepBatch } from '../../src/train/index.js';
import {
  SegmentationMeter, averagePrecision, meanAveragePrecision, multilabelScores, selectThresholds, decideLabels,
} from '../../src/metrics/index.js';

const batchOf = (inputs = zeros([0]), targets = zeros([0])): StepBatch => ({ inputs, targets, indices: new Int32Array(0) });

test('segmentation metrics on the device equal SegmentationMeter, ignore pixels skipped, and survive a checkpoint', () => {
  manualSeed(0);
  const task = new SegmentationTask({ numClasses: 4 });
  const meter = new SegmentationMeter(4);
  const m = task.createMetrics('cpu');
  for (let b = 0; b < 3; b++) {
    tidy(() => {
      const logits = randn([2, 4, 5, 6]);
      const masks = randint(0, 4, [2, 5, 6]);
      const ignored = rand([2, 5, 6]).lt(0.2);
      const target = masks.maskedFill(ignored, 255);
      m.update(logits, batchOf(zeros([0]), target));
      meter.update(target, logits.argmax(1));
    });
  }
  const want = meter.scores();
  const got = m.scores();
  assert.deepEqual(got.confusion, want.confusion);
  const values = m.compute();
  assert.equal(values.mIoU, want.meanIoU);
  assert.equal(values.pixel_accuracy, want.pixelAccuracy);
  // Dice per class is 2·IoU / (1 + IoU).
  got.iou.forEach((iou, c) => assert.ok(Math.abs(got.dice[c]! - (2 * iou) / (1 + iou)) < 1e-12));
  const copy = task.createMetrics('cpu');
  copy.loadStateDict(m.stateDict());
  assert.deepEqual(copy.compute(), values);
  m.dispose();
  copy.dispose();
});

test('segmentation loss: cross-entropy over the counted pixels only, per image for reduction none', () => {
  manualSeed(1);
  const task = new SegmentationTask({ numClasses: 3 });
  tidy(() => {
    const logits = randn([2, 3, 4, 4]);
    const target = randint(0, 3, [2, 4, 4]).maskedFill(rand([2, 4, 4]).lt(0.3), 255);
    const batch = batchOf(zeros([0]), target);
    const lp = logits.logSoftmax(1).toArray() as number[][][][];
    const t = target.toArray() as number[][][];
    const perImage = t.map((img, n) => {
      let sum = 0, count = 0;
      img.forEach((row, y) => row.forEach((c, x) => { if (c !== 255) { sum -= lp[n]![c]![y]![x]!; count++; } }));
      return { sum, count };
    });
    const mean = perImage.reduce((a, p) => a + p.sum, 0) / perImage.reduce((a, p) => a + p.count, 0);
    assert.ok(Math.abs(task.loss(logits, batch, 'mean').item() - mean) < 1e-5);
    const none = task.loss(logits, batch, 'none').toArray() as number[];
    none.forEach((v, n) => assert.ok(Math.abs(v - perImage[n]!.sum / perImage[n]!.count) < 1e-5));
  });
  assert.throws(() => new SegmentationTask({ numClasses: 3, classWeights: [1, 2] }), /2 class weights for 3 classes/);
  assert.throws(() => tidy(() => task.forward(new Conv2d(1, 2, 1), batchOf(zeros([1, 1, 4, 4])))), /expected \[N, 3, H, W\] logits/);
});

/** 16×16 grey images: a bright square (class 1) and a dim one (class 2) on noise, each with an ignore ring. */
function squares(n: number, seed: number): TensorDataset {
  manualSeed(seed);
  const images = new Uint8Array(n * 256), masks = new BigInt64Array(n * 256);
  const r = rand([n, 6]).toTypedArray() as Float32Array;
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 256; p++) images[i * 256 + p] = Math.floor(r[(i * 6 + (p % 6))]! * 40);
    const draw = (cls: number, level: number, top: number, left: number) => {
      for (let y = top - 1; y <= top + 4; y++) {
        for (let x = left - 1; x <= left + 4; x++) {
          if (y < 0 || x < 0 || y > 15 || x > 15) continue;
          const inside = y >= top && y < top + 4 && x >= left && x < left + 4;
          if (inside) images[i * 256 + y * 16 + x] = level;
          masks[i * 256 + y * 16 + x] = BigInt(inside ? cls : 255);
        }
      }
    };
    draw(1, 250, 1 + Math.floor(r[i * 6]! * 4), 1 + Math.floor(r[i * 6 + 1]! * 10));
    draw(2, 130, 9 + Math.floor(r[i * 6 + 2]! * 3), 1 + Math.floor(r[i * 6 + 3]! * 10));
  }
  return new TensorDataset(tensor(images, { shape: [n, 1, 16, 16] }), tensor(masks, { shape: [n, 16, 16] }), ['background', 'bright', 'dim']);
}

test('a small fully convolutional net learns the squares through fit() with the segmentation task', async () => {
  const train = squares(96, 1), val = squares(32, 2);
  manualSeed(3);
  const model = new Sequential(new Conv2d(1, 8, 3, { padding: 1 }), new ReLU(), new Conv2d(8, 8, 3, { padding: 1 }), new ReLU(), new Conv2d(8, 3, 1));
  const task = new SegmentationTask({ numClasses: 3 });
  const before = await evaluate(model, new DataLoader(val, { batchSize: 32 }), { task });
  const history = await fit(model, new DataLoader(train, { batchSize: 16, shuffle: true }), {
    epochs: 12, optimizer: new Adam(model.parameters(), { lr: 0.02 }), task, valData: new DataLoader(val, { batchSize: 32 }), verbose: false,
  });
  const last = history.epochs.at(-1)!;
  assert.ok(last.val_mIoU! > 0.85, `val mIoU ${last.val_mIoU} (before training ${before.metrics.mIoU})`);
  assert.ok(before.metrics.mIoU! < 0.5);
  assert.ok(last.val_pixel_accuracy! > 0.95);
});

test('multilabel metrics: mAP as averagePrecision, F1 and exact match at the threshold with top-1 fallback', () => {
  const task = new MultilabelTask({ numLabels: 3, threshold: 0.5, fallbackTop1: true });
  const m = task.createMetrics();
  const logits = [[2, -1, -3], [-2, -0.5, -4], [0.1, 3, 1], [-1, -2, 0.3]];
  const targets = [[1, 0, 0], [0, 1, 0], [0, 1, 1], [1, 0, 1]];
  tidy(() => m.update(tensor(logits), batchOf(zeros([0]), tensor(targets))));
  const probs = logits.map((r) => r.map((v) => 1 / (1 + Math.exp(-v))));
  const v = m.compute();
  assert.ok(Math.abs(v.mAP! - meanAveragePrecision(targets, probs)) < 1e-6);
  // Decisions: row 1 has none above 0.5, so its top label (1) is predicted: [1,0,0] [0,1,0] [1,1,1] [0,0,1].
  assert.deepEqual(decideLabels(probs, { threshold: 0.5, fallbackTop1: true }).map((r) => [...r]), [[1, 0, 0], [0, 1, 0], [1, 1, 1], [0, 0, 1]]);
  // TP 5 (r0 l0, r1 l1, r2 l1, r2 l2, r3 l2), FP 1 (r2 l0), FN 1 (r3 l0): micro F1 10/12; exact: rows 0 and 1.
  assert.ok(Math.abs(v.f1_micro! - 10 / 12) < 1e-12);
  assert.equal(v.exact_match, 0.5);
  const s = multilabelScores(targets, probs, { threshold: 0.5 });
  assert.equal(s.exactMatch, 0.25, 'without the fallback row 1 predicts nothing');
  const copy = task.createMetrics();
  copy.loadStateDict(m.stateDict());
  assert.deepEqual(copy.compute(), v);
  m.dispose();
  copy.dispose();
});

test('threshold selection maximises F1 on validation data, globally or per label', () => {
  const targets = [[1, 0], [1, 0], [0, 1], [0, 1], [0, 0]];
  const scores = [[0.35, 0.1], [0.4, 0.8], [0.2, 0.75], [0.1, 0.9], [0.3, 0.7]];
  const per = selectThresholds(targets, scores, { perLabel: true });
  // Label 0: positives 0.35 and 0.4, highest negative 0.3, so any threshold in (0.3, 0.35] is perfect; the lowest grid point wins.
  assert.equal(per.thresholds[0], 0.31);
  // Label 1: positives 0.75, 0.9; negatives 0.8 and 0.7: best F1 0.8 at (0.7, 0.75].
  assert.equal(per.thresholds[1], 0.71);
  assert.ok(Math.abs(per.f1[1]! - 0.8) < 1e-12);
  const global = selectThresholds(targets, scores);
  assert.equal(new Set(global.thresholds).size, 1);
  const atChosen = multilabelScores(targets, scores, { threshold: global.thresholds }).f1Micro;
  for (const t of [0.1, 0.3, 0.5, 0.72, 0.85]) assert.ok(atChosen >= multilabelScores(targets, scores, { threshold: t }).f1Micro);
  assert.throws(() => multilabelScores(targets, scores, { threshold: [0.5] }), /1 per-label thresholds for 2 labels/);
});

test('a linear multi-label classifier learns which prototypes are mixed into its inputs', async () => {
  // Label k adds 1.5 to inputs 4k..4k+3.
  const basis = tensor(Float32Array.from({ length: 64 }, (_, i) => (Math.floor(i / 16) === Math.floor((i % 16) / 4) ? 1.5 : 0)), { shape: [4, 16] });
  const make = (n: number, seed: number) => {
    manualSeed(seed);
    return tidy(() => {
      const y = rand([n, 4]).lt(0.35).to('float32');
      const x = y.matmul(basis).add(randn([n, 16]).mul(0.5));
      return new TensorDataset(keep(x.reshape([n, 16, 1, 1])), keep(y), ['a', 'b', 'c', 'd']);
    });
  };
  const train = make(256, 5), val = make(128, 6);
  manualSeed(7);
  const model = new Sequential(new Flatten(), new Linear(16, 4));
  const task = new MultilabelTask({ numLabels: 4, posWeight: [1, 1.5, 1, 1] });
  const before = await evaluate(model, new DataLoader(val, { batchSize: 64 }), { task });
  const history = await fit(model, new DataLoader(train, { batchSize: 32, shuffle: true }), {
    epochs: 15, optimizer: new Adam(model.parameters(), { lr: 0.05 }), task, valData: new DataLoader(val, { batchSize: 64 }), verbose: false,
  });
  const last = history.epochs.at(-1)!;
  assert.ok(last.val_mAP! > 0.95 && last.val_mAP! > before.metrics.mAP! + 0.2, `val mAP ${last.val_mAP} (before ${before.metrics.mAP})`);
  assert.ok(last.val_f1_micro! > 0.85, `val F1 ${last.val_f1_micro}`);
  const r = await evaluate(model, new DataLoader(val, { batchSize: 64 }), { task, probs: true });
  const probs = r.probs!.toArray() as number[][];
  r.probs!.dispose();
  const aps = averagePrecision(val.targets.toArray() as number[][], probs);
  assert.ok(Math.abs(aps.reduce((a, b) => a + b, 0) / 4 - r.metrics.mAP!) < 1e-6);
  basis.dispose();
});
