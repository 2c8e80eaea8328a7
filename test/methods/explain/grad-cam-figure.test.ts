// The run report's Grad-CAM figure: right and wrong test predictions of a convolutional
// model with their maps, and nothing for a model without convolutions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../../src/torch/index.js';
import { TensorDataset, DataLoader, decodeImage } from '../../../src/data/index.js';
import { gradCamFigure } from '../../../src/methods/explain/index.js';
import { quadrantImages, trainedToyModel, CLASSES } from '../toy-classifier.js';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

test('the Grad-CAM figure shows right and misclassified test images above their maps', async () => {
  const { x, y } = quadrantImages(64, 9);
  // Every fourth label is moved to the next class, so the model is wrong on those.
  const classNames = ['a', 'b', 'c', 'd'];
  const labels = y.toFlatArray().map((l, i) => (i % 4 === 0 ? (l + 1) % CLASSES : l));
  const data = new TensorDataset(x, tensor(labels).long(), classNames);
  const cnn = trainedToyModel('cnn');
  const [figure] = await gradCamFigure({ model: cnn, testData: new DataLoader(data, { batchSize: 16 }), classNames, normalize: null, perKind: 4 });
  assert.ok(figure, 'a figure for a convolutional model');
  assert.equal(figure.file, 'grad_cam.png');
  assert.match(figure.title, /4 right \(green\), 4 wrong \(red, true → predicted\)/);
  const dir = mkdtempSync(path.join(tmpdir(), 'visionlab-gradcam-'));
  try {
    writeFileSync(path.join(dir, 'g.png'), figure.png);
    const img = await decodeImage(path.join(dir, 'g.png'), { channels: 3 });
    // Four rows of cells (images, maps, images, maps) in four columns.
    assert.ok(img.shape[1]! > img.shape[2]! * 0.8, `grid ${img.shape.join('×')}`);
    img.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(await gradCamFigure({ model: trainedToyModel('mlp'), testData: new DataLoader(data, { batchSize: 16 }), classNames, normalize: null }), []);
});
