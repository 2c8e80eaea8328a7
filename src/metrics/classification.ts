// Single-label classification metrics, with scikit-learn's definitions and its
// zero_division=0 convention (a ratio with an empty denominator counts as 0).
import { Tensor } from '../torch/index.js';
import {
  type LabelsLike, type MatrixLike, toLabels, toMatrix, checkSameLength, checkClassRange, inferNumClasses, safeDiv,
} from './inputs.js';
import { confusionMatrix, classCounts } from './confusion.js';

/** Fraction of samples whose predicted class equals the true class. */
export function accuracy(yTrue: LabelsLike, yPred: LabelsLike): number {
  const t = toLabels(yTrue, 'accuracy: yTrue');
  const p = toLabels(yPred, 'accuracy: yPred');
  checkSameLength(t, p, ['yTrue', 'yPred'], 'accuracy');
  if (t.length === 0) throw new RangeError('accuracy: no samples');
  let correct = 0;
  for (let i = 0; i < t.length; i++) if (t[i] === p[i]) correct++;
  return correct / t.length;
}

/**
 * Fraction of samples whose true class is among the k highest scores of its row.
 * Ties are resolved in the true class's favour: it counts as in the top k when fewer
 * than k classes score strictly higher.
 */
export function topKAccuracy(scores: MatrixLike, labels: LabelsLike, k: number): number {
  const s = toMatrix(scores, 'topKAccuracy: scores');
  const y = toLabels(labels, 'topKAccuracy: labels');
  if (y.length !== s.rows) throw new RangeError(`topKAccuracy: scores has ${s.rows} rows but labels has ${y.length} elements`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`topKAccuracy: k must be a positive integer, got ${k}`);
  if (s.rows === 0) throw new RangeError('topKAccuracy: no samples');
  checkClassRange(y, s.cols, 'topKAccuracy: labels');
  let hits = 0;
  for (let i = 0; i < s.rows; i++) {
    const row = s.data.subarray(i * s.cols, (i + 1) * s.cols);
    const own = row[y[i]!]!;
    let higher = 0;
    for (const v of row) if (v > own) higher++;
    if (higher < k) hits++;
  }
  return hits / s.rows;
}

/** Accuracy within each true class (that is, per-class recall); NaN for a class with no samples. */
export function perClassAccuracy(yTrue: LabelsLike, yPred: LabelsLike, numClasses?: number): number[] {
  const m = confusionMatrix(yTrue, yPred, numClasses);
  return m.map((row, c) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n === 0 ? NaN : row[c]! / n;
  });
}

export interface AveragedScores { precision: number; recall: number; f1: number }
export interface PrecisionRecallF1 {
  precision: number[];
  recall: number[];
  f1: number[];
  /** Number of true samples of each class. */
  support: number[];
  /** Unweighted mean over all classes (classes absent from both yTrue and yPred count as 0, as with sklearn's labels=range(K)). */
  macro: AveragedScores;
  /** Mean weighted by support. */
  weighted: AveragedScores;
  accuracy: number;
  total: number;
}

export function precisionRecallF1(yTrue: LabelsLike, yPred: LabelsLike, numClasses?: number): PrecisionRecallF1 {
  const t = toLabels(yTrue, 'precisionRecallF1: yTrue');
  const p = toLabels(yPred, 'precisionRecallF1: yPred');
  const m = confusionMatrix(t, p, numClasses ?? inferNumClasses(t, p));
  const { tp, fp, fn, support, total } = classCounts(m);
  if (total === 0) throw new RangeError('precisionRecallF1: no samples');
  const precision = tp.map((x, c) => safeDiv(x, x + fp[c]!));
  const recall = tp.map((x, c) => safeDiv(x, x + fn[c]!));
  const f1 = tp.map((x, c) => safeDiv(2 * x, 2 * x + fp[c]! + fn[c]!));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const weightedMean = (v: number[]) => v.reduce((a, x, c) => a + x * support[c]!, 0) / total;
  return {
    precision, recall, f1, support,
    macro: { precision: mean(precision), recall: mean(recall), f1: mean(f1) },
    weighted: { precision: weightedMean(precision), recall: weightedMean(recall), f1: weightedMean(f1) },
    accuracy: tp.reduce((a, b) => a + b, 0) / total,
    total,
  };
}

/**
 * Mean negative log-likelihood of the true classes (cross-entropy on probabilities).
 * As scikit-learn's log_loss: probabilities are clipped to [eps, 1 - eps] and each row
 * renormalised, so one confident mistake costs -log(1e-15) ≈ 34.5 rather than Infinity.
 * `probs` is [N, K], or [N] for a binary problem holding the probability of class 1.
 */
export function logLoss(probs: MatrixLike | number[] | Float32Array | Float64Array, labels: LabelsLike, eps = 1e-15): number {
  const y = toLabels(labels, 'logLoss: labels');
  const m = isVector(probs) ? binaryColumns(probs) : toMatrix(probs as MatrixLike, 'logLoss: probs');
  if (m.rows !== y.length) throw new RangeError(`logLoss: probs has ${m.rows} rows but labels has ${y.length} elements`);
  if (m.rows === 0) throw new RangeError('logLoss: no samples');
  checkClassRange(y, m.cols, 'logLoss: labels');
  let sum = 0;
  for (let i = 0; i < m.rows; i++) {
    let rowSum = 0;
    for (let c = 0; c < m.cols; c++) rowSum += clip(m.data[i * m.cols + c]!, eps);
    sum -= Math.log(clip(m.data[i * m.cols + y[i]!]!, eps) / rowSum);
  }
  return sum / m.rows;
}

function clip(p: number, eps: number): number {
  if (Number.isNaN(p)) throw new RangeError('logLoss: probs contains NaN');
  return Math.min(Math.max(p, eps), 1 - eps);
}

function isVector(x: unknown): x is number[] | Float32Array | Float64Array | Tensor {
  if (x instanceof Tensor) return x.ndim === 1;
  return x instanceof Float32Array || x instanceof Float64Array || (Array.isArray(x) && (x.length === 0 || typeof x[0] === 'number'));
}

function binaryColumns(p: number[] | Float32Array | Float64Array | Tensor) {
  const v = p instanceof Tensor ? p.toFlatArray() : Array.from(p);
  const data = new Float64Array(v.length * 2);
  v.forEach((x, i) => { data[2 * i] = 1 - x; data[2 * i + 1] = x; });
  return { data, rows: v.length, cols: 2 };
}
