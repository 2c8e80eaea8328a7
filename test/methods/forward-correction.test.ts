// Forward loss correction: the corrected loss by hand, the anchor estimate of T, and a
// noisy run where the correction learns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, tidy } from '../../src/torch/index.js';
import { DataLoader, labelNoise } from '../../src/data/index.js';
import { Adam } from '../../src/optim/index.js';
import { fit, evaluate } from '../../src/train/index.js';
import { RelabelledDataset } from '../../src/experiment/index.js';
import { forwardCorrectedLoss, estimateTransitionFromAnchors, ForwardCorrectionTask } from '../../src/methods/noisy-labels/index.js';
import { toyDataset, toyLoader, toyModel } from '../train/toy-data.js';

test('the forward-corrected loss is -log((p·T)_y), and plain cross-entropy for T = I', () => {
  const logits = [[1, 0], [0, 2]];
  const t = [[0.8, 0.2], [0.3, 0.7]];
  const p = logits.map(([a, b]) => [Math.exp(a!) / (Math.exp(a!) + Math.exp(b!)), Math.exp(b!) / (Math.exp(a!) + Math.exp(b!))]);
  const targets = [1, 0];
  const want = p.map((pi, n) => -Math.log(pi[0]! * t[0]![targets[n]!]! + pi[1]! * t[1]![targets[n]!]!));
  const got = tidy(() => forwardCorrectedLoss(t)(tensor(logits, { dtype: 'float64' }), tensor(targets).long(), { reduction: 'none' }).toFlatArray());
  want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) < 1e-6, `sample ${i}: ${got[i]} vs ${w}`));
  const ce = p.map((pi, n) => -Math.log(pi[targets[n]!]!));
  const id = tidy(() => forwardCorrectedLoss([[1, 0], [0, 1]])(tensor(logits), tensor(targets).long(), { reduction: 'none' }).toFlatArray());
  ce.forEach((w, i) => assert.ok(Math.abs(id[i]! - w) < 1e-5));
  assert.throws(() => forwardCorrectedLoss([[0.5, 0.4], [0, 1]]), /transition row 0 must be probabilities summing to 1/);
});

test('anchor points recover the transition matrix from noisy-label probabilities', () => {
  const t = [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0, 0.4, 0.6]];
  // Samples of mixed true-class beliefs; their noisy-label probabilities are belief·T.
  const rows: number[] = [];
  for (let s = 0; s < 300; s++) {
    const c = s % 3, w = (s % 100) / 100;
    const belief = [0, 1, 2].map((k) => (k === c ? w : (1 - w) / 2));
    for (let j = 0; j < 3; j++) rows.push(belief.reduce((a, b, k) => a + b * t[k]![j]!, 0));
  }
  const est = estimateTransitionFromAnchors(Float64Array.from(rows), 3, 1);
  est.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - t[i]![j]!) < 0.02, `T[${i}][${j}] = ${v}, true ${t[i]![j]}`)));
});

test('forward correction learns from 45% asymmetric noise where its transition is known', async () => {
  const clean = toyDataset(1024, 3, 1.2);
  const mapping = { 0: 1, 1: 2, 2: 3, 3: 0 };
  const noise = labelNoise.asymmetric(clean.labels!, { mapping, rate: 0.45, numClasses: 4 }, 1);
  const noisy = new RelabelledDataset(clean, noise.noisyLabels);
  const model = toyModel(2);
  await fit(model, new DataLoader(noisy, { batchSize: 32, shuffle: true, seed: 1, prefetch: 0 }), {
    epochs: 8, optimizer: new Adam(model.parameters(), { lr: 0.01 }), task: new ForwardCorrectionTask({ transition: noise.transitionMatrix }), verbose: false,
  });
  const acc = (await evaluate(model, toyLoader(toyDataset(512, 4, 1.2)))).metrics.accuracy!;
  assert.ok(acc > 0.8, `test accuracy ${acc} (chance 0.25; plain training follows the flips toward 0.55)`);
});
