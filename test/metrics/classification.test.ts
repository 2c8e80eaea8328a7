import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';
import {
  accuracy, topKAccuracy, perClassAccuracy, confusionMatrix, normalizeConfusion, precisionRecallF1, logLoss,
} from '../../src/metrics/index.js';

const near = (a: number, b: number, tol = 1e-6, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b}`);
const nearAll = (a: number[], b: number[], tol = 1e-6, what = '') => {
  assert.equal(a.length, b.length, `${what} length`);
  a.forEach((x, i) => near(x, b[i]!, tol, `${what}[${i}]`));
};

test('confusion matrix has true classes as rows (scikit-learn docs example)', () => {
  // sklearn.metrics.confusion_matrix docs: y_true = [2, 0, 2, 2, 0, 1], y_pred = [0, 0, 2, 2, 0, 2].
  const m = confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]);
  assert.deepEqual(m, [[2, 0, 0], [0, 0, 1], [1, 0, 2]]);
  // Tensors and typed arrays give the same matrix; numClasses widens it.
  assert.deepEqual(confusionMatrix(T.tensor([2, 0, 2, 2, 0, 1], { dtype: 'int64' }), new Int32Array([0, 0, 2, 2, 0, 2]), 4),
    [[2, 0, 0, 0], [0, 0, 1, 0], [1, 0, 2, 0], [0, 0, 0, 0]]);
  // Row-normalised: rows sum to 1 (row 1 is [0, 0, 1]); column-normalised: columns do.
  nearAll(normalizeConfusion(m, 'true').flat(), [1, 0, 0, 0, 0, 1, 1 / 3, 0, 2 / 3]);
  nearAll(normalizeConfusion(m, 'pred').flat(), [2 / 3, 0, 0, 0, 0, 1 / 3, 1 / 3, 0, 2 / 3]);
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), /yTrue: element 1 is class 3, outside \[0, 3\)/);
  assert.throws(() => confusionMatrix([0, 1], [0]), /yTrue has 2 elements but yPred has 1/);
  assert.throws(() => confusionMatrix(T.tensor([0.5]), [0]), /expected integer class indices, got a float32 tensor/);
});

test('accuracy, per-class accuracy and top-k accuracy', () => {
  assert.equal(accuracy([0, 1, 2, 2, 2], [0, 0, 2, 2, 1]), 0.6);
  assert.equal(accuracy(T.tensor([1, 1], { dtype: 'int64' }), T.tensor([1, 0], { dtype: 'int64' })), 0.5);
  // Per true class: class 0 1/1, class 1 0/1, class 2 2/3; class 3 has no samples.
  const pc = perClassAccuracy([0, 1, 2, 2, 2], [0, 0, 2, 2, 1], 4);
  nearAll(pc.slice(0, 3), [1, 0, 2 / 3]);
  assert.ok(Number.isNaN(pc[3]));

  // sklearn.metrics.top_k_accuracy_score docs example: k=2 gives 0.75.
  const scores = [[0.5, 0.2, 0.2], [0.3, 0.4, 0.2], [0.2, 0.4, 0.3], [0.7, 0.2, 0.1]];
  assert.equal(topKAccuracy(scores, [0, 1, 2, 2], 2), 0.75);
  // k=1 is plain accuracy of the argmax: predictions [0, 1, 1, 0] → 2 of 4.
  assert.equal(topKAccuracy(T.tensor(scores), [0, 1, 2, 2], 1), 0.5);
  assert.equal(topKAccuracy(scores, [0, 1, 2, 2], 3), 1);
  assert.throws(() => topKAccuracy(scores, [0, 1, 2], 2), /scores has 4 rows but labels has 3/);
});

test('precision, recall, F1 with macro and weighted averages (scikit-learn docs example)', () => {
  // sklearn.metrics.precision_recall_fscore_support docs: y_true = [0,1,2,0,1,2], y_pred = [0,2,1,0,0,1]
  // gives per class P = [0.667, 0, 0], R = [1, 0, 0], F1 = [0.8, 0, 0];
  // macro (0.2222, 0.3333, 0.2667); classes are balanced so weighted is the same.
  const s = precisionRecallF1([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1]);
  nearAll(s.precision, [2 / 3, 0, 0]);
  nearAll(s.recall, [1, 0, 0]);
  nearAll(s.f1, [0.8, 0, 0]);
  assert.deepEqual(s.support, [2, 2, 2]);
  near(s.macro.precision, 0.2222222);
  near(s.macro.recall, 0.3333333);
  near(s.macro.f1, 0.2666667);
  near(s.weighted.f1, 0.2666667);
  near(s.accuracy, 1 / 3);

  // Unbalanced: classification_report docs example, weighted F1 = (1·0.667 + 1·0 + 3·0.8)/5 = 0.6133.
  const u = precisionRecallF1([0, 1, 2, 2, 2], [0, 0, 2, 2, 1]);
  near(u.weighted.precision, 0.7);
  near(u.weighted.recall, 0.6);
  near(u.weighted.f1, (2 / 3 + 2.4) / 5);
  near(u.macro.recall, (1 + 0 + 2 / 3) / 3);
});

test('log loss clips probabilities like scikit-learn', () => {
  // sklearn.metrics.log_loss docs: log_loss(["spam","ham","ham","spam"], [[.1,.9],[.9,.1],[.8,.2],[.35,.65]])
  // = 0.21616...; by hand -(ln .9 + ln .9 + ln .8 + ln .65)/4 = 0.2161618.
  const probs = [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]];
  near(logLoss(probs, [1, 0, 0, 1]), 0.2161618, 1e-7);
  near(logLoss(T.tensor(probs), T.tensor([1, 0, 0, 1], { dtype: 'int64' })), 0.2161618, 1e-6);
  // Binary form: the probability of class 1 only.
  near(logLoss([0.9, 0.1, 0.2, 0.65], [1, 0, 0, 1]), 0.2161618, 1e-7);
  // A certain mistake costs -ln(1e-15) = 34.5388 instead of Infinity.
  near(logLoss([[1, 0]], [1]), 34.5387764, 1e-6);
  // Rows are renormalised after clipping: [0.2, 0.2] is read as [0.5, 0.5].
  near(logLoss([[0.2, 0.2]], [0]), Math.LN2, 1e-12);
  assert.throws(() => logLoss([[0.5, 0.5]], [2]), /labels: element 0 is class 2, outside \[0, 2\)/);
});
