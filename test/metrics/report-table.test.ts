import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classificationReport, formatFixed } from '../../src/metrics/index.js';

test('classification report text matches scikit-learn (docs example)', () => {
  // Output of sklearn.metrics.classification_report(y_true, y_pred, target_names=...) in its docs.
  const expected = [
    '              precision    recall  f1-score   support',
    '',
    '     class 0       0.50      1.00      0.67         1',
    '     class 1       0.00      0.00      0.00         1',
    '     class 2       1.00      0.67      0.80         3',
    '',
    '    accuracy                           0.60         5',
    '   macro avg       0.50      0.56      0.49         5',
    'weighted avg       0.70      0.60      0.61         5',
    '',
  ].join('\n');
  const r = classificationReport([0, 1, 2, 2, 2], [0, 0, 2, 2, 1], ['class 0', 'class 1', 'class 2']);
  assert.equal(r.text, expected);
  assert.equal(r.accuracy, 0.6);
  assert.deepEqual(r.classes.map((c) => c.support), [1, 1, 3]);
  assert.equal(r.classes[2]!.name, 'class 2');
  assert.equal(r.classes[2]!.precision, 1);
  assert.ok(Math.abs(r.macroAvg.f1 - (2 / 3 + 0.8) / 3) < 1e-12);
  assert.equal(r.weightedAvg.support, 5);
});

test('classification report widens for long names and honours digits', () => {
  // Formatted with Python, following classification_report's format strings:
  // width = max(len(name), len('weighted avg'), digits); "{:>{width}s} " + " {:>9.3f}"*3 + " {:>9}".
  const r = classificationReport([0, 0, 1, 1, 1, 1, 1, 1, 1, 1], [0, 1, 1, 1, 1, 1, 1, 1, 1, 0], ['a', 'a much longer name'], { digits: 3 });
  // Class 'a': P = R = 1/2; the other: P = R = 7/8; macro avg 0.6875 (a tie, printed 0.688 by Python).
  const expected = [
    '                    precision    recall  f1-score   support',
    '',
    '                 a      0.500     0.500     0.500         2',
    'a much longer name      0.875     0.875     0.875         8',
    '',
    '          accuracy                          0.800        10',
    '         macro avg      0.688     0.688     0.688        10',
    '      weighted avg      0.800     0.800     0.800        10',
    '',
  ].join('\n');
  assert.equal(r.text, expected);
});

test('numbers round half to even on exact ties, as Python prints them', () => {
  // Python: format(0.125, '.2f') == '0.12', format(0.375, '.2f') == '0.38', format(2.5, '.0f') == '2',
  // format(0.6875, '.3f') == '0.688', format(0.1 + 0.2, '.2f') == '0.30', format(-0.125, '.2f') == '-0.12'.
  assert.equal(formatFixed(0.125, 2), '0.12');
  assert.equal(formatFixed(0.375, 2), '0.38');
  assert.equal(formatFixed(2.5, 0), '2');
  assert.equal(formatFixed(3.5, 0), '4');
  assert.equal(formatFixed(0.6875, 3), '0.688');
  assert.equal(formatFixed(0.1 + 0.2, 2), '0.30');
  assert.equal(formatFixed(-0.125, 2), '-0.12');
  assert.equal(formatFixed(2 / 3, 2), '0.67');
  assert.equal(formatFixed(NaN, 2), 'nan');
});
