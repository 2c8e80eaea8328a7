import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';
import { hammingLoss, averagePrecision, meanAveragePrecision, f1AtThreshold, precisionRecallCurve } from '../../src/metrics/index.js';

const near = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('hamming loss (scikit-learn docs example and a hand-counted one)', () => {
  // sklearn.metrics.hamming_loss docs: hamming_loss([[0, 1], [1, 1]], zeros((2, 2))) == 0.75.
  assert.equal(hammingLoss([[0, 1], [1, 1]], [[0, 0], [0, 0]]), 0.75);
  // 3 wrong entries out of 9.
  near(hammingLoss(T.tensor([[1, 0, 1], [0, 1, 0], [1, 1, 0]]), T.tensor([[1, 0, 0], [1, 1, 0], [1, 0, 0]])), 1 / 3);
  assert.throws(() => hammingLoss([[0, 2]], [[0, 1]]), /yTrue must hold only 0 and 1, found 2 at \[0, 1\]/);
  assert.throws(() => hammingLoss([[0, 1]], [[0, 1, 1]]), /yTrue is \[1, 2\] but yPred is \[1, 3\]/);
});

test('average precision per label, with tied scores as one threshold', () => {
  const yTrue = [[0, 0, 0], [0, 1, 0], [1, 1, 0], [1, 0, 0]];
  const yScore = [[0.1, 0.9, 0.3], [0.4, 0.5, 0.2], [0.35, 0.5, 0.9], [0.8, 0.1, 0.5]];
  const ap = averagePrecision(yTrue, yScore);
  // Label 0 is sklearn.metrics.average_precision_score's docs example: 0.8333.
  near(ap[0]!, 0.8333333);
  // Label 1 by hand: after threshold 0.9: tp 0, fp 1 (R 0); after the two tied 0.5s, both
  // positive: tp 2, fp 1 → R 1, P 2/3, so AP = (1 - 0)·2/3.
  near(ap[1]!, 2 / 3);
  // Label 2 has no positive sample: undefined, left out of the mean.
  assert.ok(Number.isNaN(ap[2]));
  near(meanAveragePrecision(T.tensor(yTrue), T.tensor(yScore)), (0.8333333 + 2 / 3) / 2);
});

test('ties decide average precision as one step, not in arbitrary order', () => {
  // Labels [0, 1, 0, 1], scores [0.9, 0.5, 0.5, 0.1]. As sklearn, the tie is one threshold:
  // (R 0, P 0), then (R 1/2, P 1/3), then (R 1, P 1/2) → AP = 1/2·1/3 + 1/2·1/2 = 5/12.
  // Taking the tied positive first (input order) would give 1/2·1/2 + 1/2·1/2 = 0.5.
  near(averagePrecision([[0], [1], [0], [1]], [[0.9], [0.5], [0.5], [0.1]])[0]!, 5 / 12);
  // A positive alone at the top scores AP 1.
  near(averagePrecision([[1], [0], [0]], [[3], [2], [1]])[0]!, 1);
});

test('the precision-recall curve has one point per distinct score, tied scores together', () => {
  // The tie example above: points (R 0, P 0) at 0.9, (R 1/2, P 1/3) at 0.5, (R 1, P 1/2) at 0.1.
  const c = precisionRecallCurve([0, 1, 0, 1], [0.9, 0.5, 0.5, 0.1]);
  assert.deepEqual(c.thresholds, [0.9, 0.5, 0.1]);
  assert.deepEqual(c.recall, [0, 0.5, 1]);
  [0, 1 / 3, 0.5].forEach((p, i) => near(c.precision[i]!, p));
  assert.deepEqual(precisionRecallCurve([0, 0], [0.3, 0.2]), { recall: [], precision: [], thresholds: [] });
  assert.throws(() => precisionRecallCurve([1, 0], [NaN, 0.2]), /score 0 is NaN/);
});

test('F1 at a threshold, micro and macro', () => {
  const yTrue = [[1, 0, 1], [0, 1, 0], [1, 1, 0]];
  const yScore = [[0.9, 0.2, 0.4], [0.6, 0.7, 0.1], [0.8, 0.3, 0.2]];
  // Predictions at 0.5: [[1,0,0],[1,1,0],[1,0,0]]. Per label (tp, fp, fn): (2,1,0) F1 0.8; (1,0,1) F1 2/3; (0,0,1) F1 0.
  near(f1AtThreshold(yTrue, yScore, 0.5, 'macro'), (0.8 + 2 / 3) / 3);
  // Pooled: tp 3, fp 1, fn 2 → 6 / 9.
  near(f1AtThreshold(yTrue, yScore, 0.5, 'micro'), 2 / 3);
  // Threshold 0.35 also turns on [0][2] = 0.4: label 2 becomes (1,0,0) → F1 1.
  near(f1AtThreshold(yTrue, yScore, 0.35, 'macro'), (0.8 + 2 / 3 + 1) / 3);
});
