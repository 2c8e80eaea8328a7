// Multi-label metrics: every sample may carry any subset of K labels. Targets are
// {0,1} matrices [N, K]; scores are probabilities or logits [N, K] (only their order
// matters for average precision).
import { type MatrixLike, type Matrix, toMatrix, safeDiv } from './inputs.js';

function twoMatrices(a: MatrixLike, b: MatrixLike, names: [string, string], fn: string): [Matrix, Matrix] {
  const x = toMatrix(a, `${fn}: ${names[0]}`);
  const y = toMatrix(b, `${fn}: ${names[1]}`);
  if (x.rows !== y.rows || x.cols !== y.cols) {
    throw new RangeError(`${fn}: ${names[0]} is [${x.rows}, ${x.cols}] but ${names[1]} is [${y.rows}, ${y.cols}]`);
  }
  if (x.rows === 0) throw new RangeError(`${fn}: no samples`);
  for (let i = 0; i < x.data.length; i++) {
    const v = x.data[i]!;
    if (v !== 0 && v !== 1) throw new RangeError(`${fn}: ${names[0]} must hold only 0 and 1, found ${v} at [${Math.floor(i / x.cols)}, ${i % x.cols}]`);
  }
  return [x, y];
}

/** Fraction of (sample, label) entries predicted wrongly; yPred is binary [N, K]. */
export function hammingLoss(yTrue: MatrixLike, yPred: MatrixLike): number {
  const [t, p] = twoMatrices(yTrue, yPred, ['yTrue', 'yPred'], 'hammingLoss');
  let wrong = 0;
  for (let i = 0; i < t.data.length; i++) if ((p.data[i]! !== 0 ? 1 : 0) !== t.data[i]) wrong++;
  return wrong / t.data.length;
}

/**
 * Average precision of each label, scikit-learn's definition: AP = Σ_n (R_n − R_{n−1}) P_n
 * over the distinct score thresholds taken from high to low (no interpolation; tied
 * scores form one threshold). NaN for a label with no positive sample, where recall is
 * undefined (scikit-learn reports 0 with a warning there).
 */
export function averagePrecision(yTrue: MatrixLike, yScore: MatrixLike): number[] {
  const [t, s] = twoMatrices(yTrue, yScore, ['yTrue', 'yScore'], 'averagePrecision');
  const out: number[] = [];
  for (let c = 0; c < t.cols; c++) {
    const labels = new Float64Array(t.rows);
    const scores = new Float64Array(t.rows);
    for (let i = 0; i < t.rows; i++) { labels[i] = t.data[i * t.cols + c]!; scores[i] = s.data[i * s.cols + c]!; }
    out.push(binaryAveragePrecision(labels, scores));
  }
  return out;
}

/**
 * The precision-recall curve of one label: a point (recall, precision) at each distinct
 * score threshold, from the highest score down (tied scores form one point). Empty for a
 * label with no positive sample.
 */
export function precisionRecallCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): { recall: number[]; precision: number[]; thresholds: number[] } {
  const n = labels.length;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    positives += labels[i]!;
    if (Number.isNaN(scores[i]!)) throw new RangeError(`precisionRecallCurve: score ${i} is NaN`);
  }
  const curve = { recall: [] as number[], precision: [] as number[], thresholds: [] as number[] };
  if (positives === 0) return curve;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let tp = 0, fp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (labels[i]) tp++; else fp++;
    if (k < n - 1 && scores[order[k + 1]!] === scores[i]) continue;
    curve.recall.push(tp / positives);
    curve.precision.push(tp / (tp + fp));
    curve.thresholds.push(scores[i]!);
  }
  return curve;
}

/** Average precision: the sum over the curve's points of (recall gained) × precision. */
export function binaryAveragePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { recall, precision } = precisionRecallCurve(labels, scores);
  if (recall.length === 0) return NaN;
  let ap = 0, prevRecall = 0;
  recall.forEach((r, k) => {
    ap += (r - prevRecall) * precision[k]!;
    prevRecall = r;
  });
  return ap;
}

/** Mean of the per-label average precisions, over the labels that have at least one positive sample. */
export function meanAveragePrecision(yTrue: MatrixLike, yScore: MatrixLike): number {
  const aps = averagePrecision(yTrue, yScore).filter((x) => !Number.isNaN(x));
  if (aps.length === 0) throw new RangeError('meanAveragePrecision: no label has a positive sample');
  return aps.reduce((a, b) => a + b, 0) / aps.length;
}

/**
 * F1 of the predictions score >= threshold. 'micro' pools every (sample, label) decision;
 * 'macro' averages per-label F1 (a label with no positives and no predictions scores 0,
 * as scikit-learn's zero_division=0).
 */
export function f1AtThreshold(yTrue: MatrixLike, yScore: MatrixLike, threshold = 0.5, average: 'micro' | 'macro' = 'micro'): number {
  const [t, s] = twoMatrices(yTrue, yScore, ['yTrue', 'yScore'], 'f1AtThreshold');
  const tp = new Float64Array(t.cols), fp = new Float64Array(t.cols), fn = new Float64Array(t.cols);
  for (let i = 0; i < t.data.length; i++) {
    const c = i % t.cols;
    const predicted = s.data[i]! >= threshold;
    if (predicted && t.data[i]) tp[c]!++;
    else if (predicted) fp[c]!++;
    else if (t.data[i]) fn[c]!++;
  }
  const f1 = (a: number, b: number, d: number) => safeDiv(2 * a, 2 * a + b + d);
  if (average === 'micro') {
    const sum = (v: Float64Array) => v.reduce((a, b) => a + b, 0);
    return f1(sum(tp), sum(fp), sum(fn));
  }
  if (average !== 'macro') throw new RangeError(`f1AtThreshold: average must be 'micro' or 'macro', got '${average}'`);
  let total = 0;
  for (let c = 0; c < t.cols; c++) total += f1(tp[c]!, fp[c]!, fn[c]!);
  return total / t.cols;
}
