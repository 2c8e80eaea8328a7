// Co-teaching: the forget-rate schedule, the exchange of small-loss samples (the kept
// samples are cleaner than the batch), and learning under heavy symmetric noise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, tidy } from '../../src/torch/index.js';
import { DataLoader, labelNoise } from '../../src/data/index.js';
import { Adam } from '../../src/optim/index.js';
import { fit, evaluate } from '../../src/train/index.js';
import { RelabelledDataset } from '../../src/experiment/index.js';
import { CoTeaching, CoTeachingPair, coTeachingForgetRate } from '../../src/methods/noisy-labels/index.js';
import { toyDataset, toyLoader, toyModel } from '../train/toy-data.js';

test('the forget rate ramps linearly to its final value over rampEpochs, then stays', () => {
  assert.equal(coTeachingForgetRate(0, 0.4, 10), 0);
  assert.ok(Math.abs(coTeachingForgetRate(5, 0.4, 10) - 0.2) < 1e-12);
  assert.equal(coTeachingForgetRate(10, 0.4, 10), 0.4);
  assert.equal(coTeachingForgetRate(25, 0.4, 10), 0.4);
  assert.throws(() => new CoTeaching({ forgetRate: 1 }), /forgetRate must be in \[0, 1\)/);
  const m = toyModel(1);
  assert.throws(() => new CoTeachingPair(m, m), /must be different modules/);
});

test('each network learns from the samples its peer finds easiest', () => {
  const task = new CoTeaching({ forgetRate: 0.5, rampEpochs: 1 });
  (task as unknown as { position: number }).position = 1;
  // Network a is sure of class 0 everywhere, b of class 1; the targets say 0, 0, 1, 1.
  const loss = tidy(() => {
    const x = tensor([[0], [0], [0], [0]]);
    const batch = { inputs: x, targets: tensor([0, 0, 1, 1]).long(), indices: Int32Array.of(0, 1, 2, 3) };
    (task as unknown as { classes: number }).classes = 2;
    // Outputs of a training step: a's logits, then b's, side by side.
    return task.loss(tensor([[4, 0, 0, 4], [4, 0, 0, 4], [4, 0, 0, 4], [4, 0, 0, 4]]), batch, 'mean').item();
  });
  // a keeps samples 0, 1 (its small losses), b keeps 2, 3. a learns from b's choice (loss
  // -log softmax(4,0)[1] on samples 2, 3), b from a's (-log softmax(0,4)[0] on samples 0, 1).
  const hard = Math.log(1 + Math.exp(4));
  assert.ok(Math.abs(loss - 2 * hard) < 1e-4, `loss ${loss}, expected ${2 * hard}`);
});

test('under 45% symmetric noise the kept samples are much cleaner than the batch, and the first network learns', async () => {
  const clean = toyDataset(1536, 3, 1.2);
  const noise = labelNoise.symmetric(clean.labels!, 0.45, 4, 1);
  const noisy = new RelabelledDataset(clean, noise.noisyLabels);
  const labelIsCorrect = Uint8Array.from(noise.noisyLabels, (l, i) => (l === clean.labels![i] ? 1 : 0));
  const coTeaching = new CoTeaching({ forgetRate: noise.realisedRate, rampEpochs: 3, labelIsCorrect });
  const pair = new CoTeachingPair(toyModel(1), toyModel(2));
  const history = await fit(pair, new DataLoader(noisy, { batchSize: 64, shuffle: true, seed: 1, prefetch: 0 }), {
    epochs: 10, optimizer: new Adam(pair.parameters(), { lr: 0.003 }), task: coTeaching, callbacks: [coTeaching], verbose: false,
  });
  const last = history.epochs.at(-1)!;
  assert.ok(Math.abs(last.coteach_kept! - (1 - noise.realisedRate)) < 0.02, `kept ${last.coteach_kept}`);
  assert.ok(Math.abs(last.coteach_batch_precision! - (1 - noise.realisedRate)) < 0.03, `batch precision ${last.coteach_batch_precision}`);
  assert.ok(last.coteach_label_precision! > last.coteach_batch_precision! + 0.25, `kept precision ${last.coteach_label_precision} vs batch ${last.coteach_batch_precision}`);
  assert.equal(history.epochs[0]!.coteach_kept! > 0.9, true, 'the first epoch keeps nearly everything');
  const acc = (await evaluate(pair.first, toyLoader(toyDataset(512, 4, 1.2)))).metrics.accuracy!;
  assert.ok(acc > 0.85, `test accuracy of the first network ${acc} (chance 0.25)`);
});
