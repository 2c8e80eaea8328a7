// The label-cleaning network: its residual form, and joint training where the cleaned
// labels agree with the truth more often than the noisy ones and the classifier learns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, tidy, randn } from '../../src/torch/index.js';
import { DataLoader, labelNoise } from '../../src/data/index.js';
import { Adam } from '../../src/optim/index.js';
import { fit, evaluate } from '../../src/train/index.js';
import { Sequential, Conv2d } from '../../src/nn/index.js';
import { RelabelledDataset } from '../../src/experiment/index.js';
import { LabelCleaner, LabelCleaning, LabelCleaningModel } from '../../src/methods/noisy-labels/index.js';
import { toyDataset, toyLoader, toyModel } from '../train/toy-data.js';

test('an untrained cleaner passes the noisy label through; its output stays in [0, 1]', () => {
  const cleaner = new LabelCleaner(6, 3, 8);
  const out = tidy(() => cleaner.call(randn([4, 6]), tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]])).toFlatArray());
  assert.deepEqual(out, [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]);
  assert.throws(() => new LabelCleaningModel(new Sequential(new Conv2d(1, 2, 3)), 2), /has no Linear layer|not a Linear layer/);
});

test('trained on 300 trusted labels, the cleaner corrects 50% symmetric noise and the classifier learns', async () => {
  const clean = toyDataset(1800, 3, 1.2);
  const noise = labelNoise.withCleanSubset(clean.labels!, 300, 1, (l) => labelNoise.symmetric(l, 0.5, 4, 2));
  const trusted = new Uint8Array(clean.length);
  for (const i of noise.cleanIndices) trusted[i] = 1;
  const task = new LabelCleaning({ noisyLabels: noise.noisyForAll, trusted, trueLabels: clean.labels! });
  const model = new LabelCleaningModel(toyModel(1), 4, 32);
  const history = await fit(model, new DataLoader(new RelabelledDataset(clean, noise.noisyLabels), { batchSize: 64, shuffle: true, seed: 1, prefetch: 0 }), {
    epochs: 10, optimizer: new Adam(model.parameters(), { lr: 0.003 }), task, callbacks: [task], verbose: false,
  });
  const last = history.epochs.at(-1)!;
  assert.ok(Math.abs(last.noisy_agreement! - 0.5) < 0.05 + 0.125, `noisy labels right ${last.noisy_agreement}`);
  assert.ok(last.cleaner_agreement! > last.noisy_agreement! + 0.2, `cleaned labels right ${last.cleaner_agreement} vs noisy ${last.noisy_agreement}`);
  const acc = (await evaluate(model.classifier, toyLoader(toyDataset(512, 4, 1.2)))).metrics.accuracy!;
  assert.ok(acc > 0.85, `test accuracy ${acc} (chance 0.25)`);
});
