import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as T from '../../src/torch/index.js';
import { classificationReport, confusionMatrix } from '../../src/metrics/index.js';
import { writeReport, writeStandardFigures, predictionGridPng } from '../../src/train/report/index.js';
import { decodePng, countPixels, near } from './png-pixels.js';

const classNames = ['cat', 'dog', 'bird'];
const yTrue = [0, 0, 1, 1, 1, 2, 2, 2, 2, 0];
const yPred = [0, 1, 1, 1, 1, 2, 2, 0, 2, 0];

function runDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'visionlab-report-'));
}

test('report.html shows metrics, the classification report and figures that exist in the run directory', async () => {
  const dir = runDir();
  try {
    const history = [
      { epoch: 1, trainLoss: 1.2, valLoss: 1.3, trainAcc: 0.5, valAcc: 0.45, lr: 0.1 },
      { epoch: 2, trainLoss: 0.7, valLoss: 0.9, trainAcc: 0.75, valAcc: 0.7, lr: 0.05 },
    ];
    const figures = await writeStandardFigures(dir, {
      classNames, history, confusion: confusionMatrix(yTrue, yPred, 3),
      embedding: { points: new Float32Array([0, 0, 1, 1, 5, 5, 6, 5, 9, 0, 9, 1]), labels: [0, 0, 1, 1, 2, 2] },
    });
    assert.deepEqual(figures.map((f) => f.file), ['learning-curves.png', 'confusion-matrix.png', 'per-class-accuracy.png', 'embedding.png']);
    const report = classificationReport(yTrue, yPred, classNames);
    const file = await writeReport(dir, {
      title: 'CIFAR <small> run',
      config: { model: 'resnet18', optimizer: { name: 'sgd', lr: 0.1 } },
      history,
      metrics: { testAccuracy: 0.8, testLoss: 0.51234, epochs: 2 },
      classificationReport: report,
      figures,
    });
    assert.equal(file, path.join(dir, 'report.html'));
    const html = readFileSync(file, 'utf8');
    assert.match(html, /<title>CIFAR &lt;small&gt; run<\/title>/);
    assert.match(html, /<th title="testAccuracy">test accuracy<\/th><td class="num">0\.8000<\/td>/);
    assert.match(html, /<th title="testLoss">test loss<\/th><td class="num">0\.5123<\/td>/);
    // Classification report rows: dog has P = 3/4, R = 3/3, F1 = 6/7 = 0.857, support 3.
    assert.match(html, /<td>dog<\/td><td class="num">0\.750<\/td><td class="num">1\.000<\/td><td class="num">0\.857<\/td><td class="num">3<\/td>/);
    assert.match(html, /<td>accuracy<\/td><td><\/td><td><\/td><td class="num">0\.800<\/td><td class="num">10<\/td>/);
    assert.ok(html.includes('weighted avg'));
    // History columns include extra numeric fields; config is shown as YAML.
    assert.match(html, /<th>lr<\/th>/);
    assert.match(html, /optimizer:\n {2}name: sgd\n {2}lr: 0\.1/);
    // Every referenced image exists next to the report.
    const srcs = [...html.matchAll(/<img src="([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!));
    assert.deepEqual(srcs, figures.map((f) => f.file));
    for (const s of srcs) assert.ok(existsSync(path.join(dir, s)), `${s} missing`);
    // No temporary files left behind by the atomic writes.
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeReport refuses figures that are missing or outside the run directory', async () => {
  const dir = runDir();
  try {
    await assert.rejects(writeReport(dir, { title: 't', figures: [{ name: 'Curves', file: 'nope.png' }] }), /figure 'Curves' file .*nope\.png does not exist/);
    await assert.rejects(writeReport(dir, { title: 't', figures: [{ name: 'Elsewhere', file: '../x.png' }] }), /outside the run directory/);
    assert.equal(existsSync(path.join(dir, 'report.html')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('prediction grid captions right predictions green and wrong ones red', async () => {
  const dir = runDir();
  try {
    const images = T.full([6, 3, 8, 8], 0.5);
    const file = path.join(dir, 'predictions.png');
    await predictionGridPng(file, images, [0, 1, 2, 0, 1, 2], T.tensor([0, 1, 2, 1, 1, 0], { dtype: 'int64' }), classNames, { cols: 3 });
    const img = await decodePng(readFileSync(file));
    // 3 columns of 8-pixel images scaled ×12 to 96, plus padding and a caption row.
    assert.equal(img.width, 3 * (96 + 4));
    assert.ok(img.height > 2 * (96 + 4));
    const green = countPixels(img, near([0x1a, 0x7f, 0x37], 40));
    const red = countPixels(img, near([0xcf, 0x22, 0x2e], 40));
    // Four right, two wrong: borders alone are 4·(100·100 − 96·96) = 3,136 and 2·784 = 1,568 pixels.
    assert.ok(green > 3000 && red > 1500, `green ${green}, red ${red}`);
    assert.ok(green > red);
    await assert.rejects(predictionGridPng(file, images, [0, 1], [0, 1], classNames), /6 images but 2 true and 2 predicted labels/);
    await assert.rejects(predictionGridPng(file, images, [0, 1, 2, 0, 1, 5], [0, 1, 2, 0, 1, 2], classNames), /yTrue\[5\] is class 5, but there are 3 class names/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
