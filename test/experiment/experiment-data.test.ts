// The data a config describes: splits carved from the training data, regrouping and
// synthetic label noise on the training split only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validateConfig, loadExperimentData } from '../../src/experiment/index.js';
import { labelHistogram } from '../../src/data/index.js';
import { writeSyntheticNpy } from '../cli/synthetic-data.js';

function config(extra: Record<string, unknown>) {
  return validateConfig({
    name: 'data', dataset: { kind: 'npy', root: 'data' }, model: { name: 'mlp' },
    optimizer: { name: 'sgd', lr: 0.1 }, epochs: 1, batchSize: 8, ...extra,
  });
}

test('splits, regrouping and label noise', async () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'visionlab-data-'));
  try {
    writeSyntheticNpy(path.join(tmp, 'data'), 300, 0 + 30);
    // 300 training images (100 per class): 20% test and 10% validation carved off, stratified.
    const held = await loadExperimentData(config({ split: { val: 0.1, test: 0.2 } }), tmp);
    assert.deepEqual([held.train.length, held.val!.length, held.test.length], [210, 30, 60]);
    assert.deepEqual(labelHistogram(held.test), [20, 20, 20]);
    assert.deepEqual(labelHistogram(held.val!), [10, 10, 10]);
    assert.deepEqual(held.imageShape, [1, 16, 16]);

    // Regrouping classes 0 and 1 into one: 200 vs 100 images, applied to the test split too.
    const merged = await loadExperimentData(config({ regroup: { mapping: [0, 0, 1], classNames: ['stripes', 'square'] } }), tmp);
    assert.deepEqual(merged.classNames, ['stripes', 'square']);
    assert.deepEqual(labelHistogram(merged.train), [200, 100]);
    assert.deepEqual(labelHistogram(merged.test), [20, 10]);
    const b = merged.test.getBatch([0, 1, 2]);
    assert.deepEqual(b.targets.toFlatArray().map(Number), [0, 0, 1]);

    // Symmetric noise at 30% changes about 30% of the training labels and no test label.
    const noisy = await loadExperimentData(config({ labelNoise: { kind: 'symmetric', rate: 0.3 }, split: { val: 0.1 } }), tmp);
    assert.ok(noisy.labelNoise!.realisedRate > 0.2 && noisy.labelNoise!.realisedRate < 0.4, String(noisy.labelNoise!.realisedRate));
    const all = Int32Array.from({ length: noisy.train.length }, (_, i) => i);
    const targets = noisy.train.getBatch(all).targets.toFlatArray().map(Number);
    const clean = (noisy.train as unknown as { base: { labels: Int32Array } }).base.labels;
    const changed = targets.filter((t, i) => t !== clean[i]).length;
    assert.equal(changed / targets.length, noisy.labelNoise!.realisedRate, 'training batches carry the noisy labels');
    assert.deepEqual(labelHistogram(noisy.test), [10, 10, 10]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
