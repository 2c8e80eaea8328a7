// The confusion matrix is the one table most classification metrics are read from.
import { type LabelsLike, toLabels, checkSameLength, checkClassRange, inferNumClasses } from './inputs.js';

/** counts[t][p] = number of samples of true class t predicted as p (rows are true classes, like scikit-learn). */
export type ConfusionMatrix = number[][];

export function confusionMatrix(yTrue: LabelsLike, yPred: LabelsLike, numClasses?: number): ConfusionMatrix {
  const t = toLabels(yTrue, 'confusionMatrix: yTrue');
  const p = toLabels(yPred, 'confusionMatrix: yPred');
  checkSameLength(t, p, ['yTrue', 'yPred'], 'confusionMatrix');
  const k = numClasses ?? inferNumClasses(t, p);
  checkClassRange(t, k, 'confusionMatrix: yTrue');
  checkClassRange(p, k, 'confusionMatrix: yPred');
  const flat = new Float64Array(k * k);
  for (let i = 0; i < t.length; i++) flat[t[i]! * k + p[i]!]! += 1;
  return Array.from({ length: k }, (_, r) => Array.from(flat.subarray(r * k, (r + 1) * k)));
}

/**
 * 'true': each row sums to 1 (recall view), 'pred': each column sums to 1 (precision
 * view), 'all': the whole matrix sums to 1. Empty rows/columns stay 0 instead of NaN.
 */
export function normalizeConfusion(m: ConfusionMatrix, over: 'true' | 'pred' | 'all' = 'true'): number[][] {
  const k = m.length;
  const rowSums = m.map((r) => r.reduce((a, b) => a + b, 0));
  const colSums = Array.from({ length: k }, (_, c) => m.reduce((a, r) => a + (r[c] ?? 0), 0));
  const total = rowSums.reduce((a, b) => a + b, 0);
  return m.map((row, r) => row.map((v, c) => {
    const d = over === 'true' ? rowSums[r]! : over === 'pred' ? colSums[c]! : total;
    return d === 0 ? 0 : v / d;
  }));
}

export interface ClassCounts { tp: number[]; fp: number[]; fn: number[]; support: number[]; total: number }

export function classCounts(m: ConfusionMatrix): ClassCounts {
  const k = m.length;
  const tp: number[] = [], fp: number[] = [], fn: number[] = [], support: number[] = [];
  let total = 0;
  for (let c = 0; c < k; c++) {
    const row = m[c]!;
    if (row.length !== k) throw new RangeError(`confusion matrix must be square: row ${c} has ${row.length} entries, expected ${k}`);
    const rowSum = row.reduce((a, b) => a + b, 0);
    let colSum = 0;
    for (let r = 0; r < k; r++) colSum += m[r]![c]!;
    tp.push(row[c]!);
    fn.push(rowSum - row[c]!);
    fp.push(colSum - row[c]!);
    support.push(rowSum);
    total += rowSum;
  }
  return { tp, fp, fn, support, total };
}
