import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  learningCurvesPng, confusionMatrixPng, perClassAccuracyPng, scatterPng, robustnessCurvePng, comparisonBarPng,
} from '../../src/train/report/index.js';
import { learningCurvesSpec } from '../../src/train/report/charts.js';
import { vegaLiteToSvg } from '../../src/train/report/render.js';
import { decodePng, countPixels, dark, near } from './png-pixels.js';
import { History, historyForCharts } from '../../src/train/history.js';

const BLUE: [number, number, number] = [0x1f, 0x77, 0xb4]; // train curve, category10[0]
const ORANGE: [number, number, number] = [0xff, 0x7f, 0x0e]; // validation curve, category10[1]
const GREEN: [number, number, number] = [0x2c, 0xa0, 0x2c]; // category10[2]

const history = Array.from({ length: 8 }, (_, i) => ({
  epoch: i + 1, trainLoss: 2 / (i + 1), valLoss: 2.3 / (i + 1) + 0.1, trainAcc: 1 - 0.7 / (i + 1), valAcc: 0.9 - 0.7 / (i + 1),
}));

test('learning curves: exact size, title text, and both train and validation lines', async () => {
  const img = await decodePng(await learningCurvesPng(history, { width: 900, height: 400 }));
  assert.equal(img.width, 900);
  assert.equal(img.height, 400);
  // The panel title "Loss" is black text in the top-left corner: fonts were found.
  assert.ok(countPixels(img, dark, { x1: 120, y1: 30 }) > 20, 'no title text in the top-left corner');
  assert.ok(countPixels(img, near(BLUE)) > 200, 'train line missing');
  assert.ok(countPixels(img, near(ORANGE)) > 200, 'validation line missing');
  // A history with losses only still renders (one panel).
  const lossOnly = await decodePng(await learningCurvesPng([{ epoch: 1, trainLoss: 1 }, { epoch: 2, trainLoss: 0.5 }]));
  assert.deepEqual([lossOnly.width, lossOnly.height], [900, 400]);
  await assert.rejects(learningCurvesPng([]), /history is empty/);
});

test('learning curves of a run without validation data draw and name only the train series', async () => {
  const trainOnly = history.map(({ epoch, trainLoss, trainAcc }) => ({ epoch, trainLoss, trainAcc }));
  const img = await decodePng(await learningCurvesPng(trainOnly, { width: 900, height: 400 }));
  assert.ok(countPixels(img, near(BLUE)) > 200, 'train line missing');
  // Neither a validation line nor a validation swatch in the legend.
  assert.equal(countPixels(img, near(ORANGE)), 0, 'something orange (a validation series or legend entry) was drawn');
  const legendLabels = async (h: typeof history | typeof trainOnly) => {
    const svg = await vegaLiteToSvg(learningCurvesSpec(h).spec);
    return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  };
  const labels = await legendLabels(trainOnly);
  assert.ok(labels.includes('train'), `no 'train' in the legend: ${labels.join(', ')}`);
  assert.ok(!labels.includes('validation'), `the legend names a validation series that has no data: ${labels.join(', ')}`);
  // With validation data both are named; validation loss alone is enough.
  assert.ok((await legendLabels(history)).includes('validation'));
  const valLossOnly = trainOnly.map((h, i) => ({ ...h, valLoss: history[i]!.valLoss }));
  assert.ok((await legendLabels(valLossOnly)).includes('validation'));
});

test('confusion matrix heatmap: dark diagonal with white numbers, pale off-diagonal', async () => {
  const names = ['cat', 'dog', 'bird'];
  const m = [[50, 2, 0], [3, 45, 1], [0, 4, 40]];
  const img = await decodePng(await confusionMatrixPng(m, names, { width: 500, height: 500 }));
  assert.deepEqual([img.width, img.height], [500, 500]);
  const darkBlue = (r: number, g: number, b: number) => b > 100 && r < 60 && g < 110;
  const paleBlue = (r: number, g: number, b: number) => b > 200 && r > 190 && r < 240;
  assert.ok(countPixels(img, darkBlue) > 5000, 'diagonal cells are not dark');
  assert.ok(countPixels(img, paleBlue) > 5000, 'off-diagonal cells are not pale');
  // Axis labels and cell counts are text: many near-black pixels.
  assert.ok(countPixels(img, dark) > 300, 'no text');
  const pct = await decodePng(await confusionMatrixPng(m, names, { normalize: true }));
  assert.deepEqual([pct.width, pct.height], [640, 640]);
  await assert.rejects(confusionMatrixPng([[1, 2]], names), /matrix must be 3×3/);
});

test('per-class accuracy bars, scatter, robustness curve and comparison bars', async () => {
  const bars = await decodePng(await perClassAccuracyPng([0.9, 0.5, NaN, 0.75], ['a', 'b', 'c', 'd']));
  assert.deepEqual([bars.width, bars.height], [800, 450]);
  assert.ok(countPixels(bars, near([0x4c, 0x78, 0xa8])) > 20000, 'bars missing');
  assert.ok(countPixels(bars, dark, { x1: 250, y1: 30 }) > 20, 'no title text');

  const points = new Float32Array(120);
  const labels: number[] = [];
  for (let i = 0; i < 60; i++) {
    labels.push(i % 3);
    points[2 * i] = (i % 3) * 10 + (i % 7) * 0.3;
    points[2 * i + 1] = ((i * 5) % 11) * 0.2;
  }
  const scatter = await decodePng(await scatterPng(points, labels, ['x', 'y', 'z'], { width: 600, height: 400 }));
  assert.deepEqual([scatter.width, scatter.height], [600, 400]);
  // Points are drawn at opacity 0.75 over white.
  const onWhite = (c: [number, number, number]) => c.map((v) => Math.round(0.75 * v + 0.25 * 255)) as [number, number, number];
  for (const [colour, name] of [[BLUE, 'x'], [ORANGE, 'y'], [GREEN, 'z']] as const) {
    assert.ok(countPixels(scatter, near(onWhite(colour), 30)) > 100, `points of class ${name} missing`);
  }
  await assert.rejects(scatterPng(points, labels.slice(1), ['x', 'y', 'z']), /120 coordinates for 59 labels/);

  const curve = await decodePng(await robustnessCurvePng([0, 0.01, 0.03, 0.1], [0.92, 0.7, 0.3, 0.05]));
  assert.deepEqual([curve.width, curve.height], [800, 450]);
  assert.ok(countPixels(curve, near([0x4c, 0x78, 0xa8], 60)) > 300, 'curve missing');
  const twoCurves = await decodePng(await robustnessCurvePng([0, 0.1], { FGSM: [0.9, 0.4], PGD: [0.9, 0.1] }));
  assert.ok(countPixels(twoCurves, near([0xf5, 0x85, 0x18], 60)) > 100, 'second curve missing');
  await assert.rejects(robustnessCurvePng([0, 0.1], [0.9]), /1 values for 'accuracy' but 2 eps values/);

  const comparison = await decodePng(await comparisonBarPng([
    { name: 'cnn', metric: 'clean', value: 0.9 }, { name: 'cnn', metric: 'FGSM', value: 0.3 },
    { name: 'resnet', metric: 'clean', value: 0.95 }, { name: 'resnet', metric: 'FGSM', value: 0.5 },
  ], { percent: true, width: 600, height: 300 }));
  assert.deepEqual([comparison.width, comparison.height], [600, 300]);
  assert.ok(countPixels(comparison, near([0x4c, 0x78, 0xa8], 60)) > 3000, 'first-metric bars missing');
  assert.ok(countPixels(comparison, near([0xf5, 0x85, 0x18], 60)) > 1000, 'second-metric bars missing');
});

test("learning curves draw a panel for each of the task's metrics, named after it", async () => {
  const h = new History([
    { epoch: 0, loss: 0.5, mae: 0.4, val_loss: 0.6, val_mae: 0.45, lr: 0.1, time_s: 1 },
    { epoch: 1, loss: 0.3, mae: 0.2, val_loss: 0.4, val_mae: 0.3, lr: 0.1, time_s: 1 },
  ]);
  const entries = historyForCharts(h, ['mae']);
  assert.deepEqual(entries[1], { epoch: 2, trainLoss: 0.3, valLoss: 0.4, metrics: { mae: { train: 0.2, val: 0.3 } } });
  const svg = await vegaLiteToSvg(learningCurvesSpec(entries).spec);
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assert.ok(texts.includes('Mae') && texts.includes('Loss'), `panel titles: ${texts.join(', ')}`);
  assert.ok(!texts.includes('Accuracy'), 'no accuracy panel for a task without accuracy');
});
