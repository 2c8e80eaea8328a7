// Decisions from multi-label scores: a threshold (one for all labels, or one per label),
// optionally with the study's fallback of predicting the single most likely label when
// none passes; the precision, recall and F1 (macro and micro) and exact-match ratio of
// those decisions; and the thresholds that maximise F1 on a validation split.
import { type MatrixLike, type Matrix, toMatrix, safeDiv } from './inputs.js';

export interface DecisionOptions {
  /** One threshold for every label, or one per label. Default 0.5. */
  threshold?: number | readonly number[];
  /** Predict the top-scoring label for a sample where no label passes its threshold. */
  fallbackTop1?: boolean;
}

export interface MultilabelScores {
  precisionMacro: number;
  recallMacro: number;
  f1Macro: number;
  precisionMicro: number;
  recallMicro: number;
  f1Micro: number;
  /** Fraction of samples whose whole label set is predicted exactly. */
  exactMatch: number;
  /** Per-label F1. */
  f1: number[];
}

function thresholdsFor(cols: number, t: DecisionOptions['threshold'], fn: string): number[] {
  if (t === undefined || typeof t === 'number') {
    const v = t ?? 0.5;
    if (!Number.isFinite(v)) throw new RangeError(`${fn}: threshold must be a number, got ${v}`);
    return new Array<number>(cols).fill(v);
  }
  if (t.length !== cols) throw new RangeError(`${fn}: ${t.length} per-label thresholds for ${cols} labels`);
  return [...t];
}

function matrixPair(yTrue: MatrixLike, yScore: MatrixLike, fn: string): [Matrix, Matrix] {
  const t = toMatrix(yTrue, `${fn}: yTrue`);
  const s = toMatrix(yScore, `${fn}: yScore`);
  if (t.rows !== s.rows || t.cols !== s.cols) throw new RangeError(`${fn}: yTrue is [${t.rows}, ${t.cols}] but yScore is [${s.rows}, ${s.cols}]`);
  if (t.rows === 0) throw new RangeError(`${fn}: no samples`);
  return [t, s];
}

/** 0/1 decisions [N][K] from scores [N, K]. */
export function decideLabels(yScore: MatrixLike, opts: DecisionOptions = {}): Uint8Array[] {
  const s = toMatrix(yScore, 'decideLabels: yScore');
  return decide(s, thresholdsFor(s.cols, opts.threshold, 'decideLabels'), opts.fallbackTop1 ?? false);
}

function decide(s: Matrix, th: number[], fallbackTop1: boolean): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < s.rows; i++) {
    const row = new Uint8Array(s.cols);
    let any = false, best = 0;
    for (let c = 0; c < s.cols; c++) {
      const v = s.data[i * s.cols + c]!;
      if (v >= th[c]!) { row[c] = 1; any = true; }
      if (v > s.data[i * s.cols + best]!) best = c;
    }
    if (!any && fallbackTop1 && s.cols > 0) row[best] = 1;
    out.push(row);
  }
  return out;
}

export function multilabelScores(yTrue: MatrixLike, yScore: MatrixLike, opts: DecisionOptions = {}): MultilabelScores {
  const [t, s] = matrixPair(yTrue, yScore, 'multilabelScores');
  const k = t.cols;
  const pred = decide(s, thresholdsFor(k, opts.threshold, 'multilabelScores'), opts.fallbackTop1 ?? false);
  const tp = new Float64Array(k), fp = new Float64Array(k), fn = new Float64Array(k);
  let exact = 0;
  for (let i = 0; i < t.rows; i++) {
    let same = true;
    for (let c = 0; c < k; c++) {
      const y = t.data[i * k + c]! > 0.5, p = pred[i]![c] === 1;
      if (y && p) tp[c]!++;
      else if (p) fp[c]!++;
      else if (y) fn[c]!++;
      if (y !== p) same = false;
    }
    if (same) exact++;
  }
  const sum = (v: Float64Array) => v.reduce((a, b) => a + b, 0);
  const f1 = Array.from({ length: k }, (_, c) => safeDiv(2 * tp[c]!, 2 * tp[c]! + fp[c]! + fn[c]!));
  const mean = (v: number[]) => (v.length === 0 ? NaN : v.reduce((a, b) => a + b, 0) / v.length);
  const [TP, FP, FN] = [sum(tp), sum(fp), sum(fn)];
  return {
    precisionMacro: mean(Array.from({ length: k }, (_, c) => safeDiv(tp[c]!, tp[c]! + fp[c]!))),
    recallMacro: mean(Array.from({ length: k }, (_, c) => safeDiv(tp[c]!, tp[c]! + fn[c]!))),
    f1Macro: mean(f1),
    precisionMicro: safeDiv(TP, TP + FP),
    recallMicro: safeDiv(TP, TP + FN),
    f1Micro: safeDiv(2 * TP, 2 * TP + FP + FN),
    exactMatch: exact / t.rows,
    f1,
  };
}

export interface ThresholdSelection {
  /** One threshold per label (all equal for a global selection). */
  thresholds: number[];
  /** The F1 each reached on the data it was chosen on: micro F1 (global) or each label's F1 (per label). */
  f1: number[];
}

/**
 * Thresholds that maximise F1 on (validation) data: one shared threshold maximising the
 * micro F1, or each label's own. Candidates are the grid 0.01, 0.02, ..., 0.99 (scores are
 * probabilities); ties go to the lowest threshold.
 */
export function selectThresholds(yTrue: MatrixLike, yScore: MatrixLike, opts: { perLabel?: boolean; grid?: readonly number[] } = {}): ThresholdSelection {
  const [t, s] = matrixPair(yTrue, yScore, 'selectThresholds');
  const k = t.cols;
  const grid = opts.grid ?? Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
  if (grid.length === 0) throw new RangeError('selectThresholds: the grid of candidate thresholds is empty');
  // Counts per (candidate, label), so the global and per-label choices share one pass.
  const tp = new Float64Array(grid.length * k), fp = new Float64Array(grid.length * k), fn = new Float64Array(grid.length * k);
  for (let i = 0; i < t.rows; i++) {
    for (let c = 0; c < k; c++) {
      const y = t.data[i * k + c]! > 0.5, v = s.data[i * k + c]!;
      for (let g = 0; g < grid.length; g++) {
        const p = v >= grid[g]!;
        if (y && p) tp[g * k + c]!++;
        else if (p) fp[g * k + c]!++;
        else if (y) fn[g * k + c]!++;
      }
    }
  }
  const f1 = (a: number, b: number, d: number) => safeDiv(2 * a, 2 * a + b + d);
  if (opts.perLabel) {
    const thresholds: number[] = [], best: number[] = [];
    for (let c = 0; c < k; c++) {
      let bg = 0, bf = -1;
      for (let g = 0; g < grid.length; g++) {
        const v = f1(tp[g * k + c]!, fp[g * k + c]!, fn[g * k + c]!);
        if (v > bf) { bf = v; bg = g; }
      }
      thresholds.push(grid[bg]!);
      best.push(bf);
    }
    return { thresholds, f1: best };
  }
  let bg = 0, bf = -1;
  for (let g = 0; g < grid.length; g++) {
    let a = 0, b = 0, d = 0;
    for (let c = 0; c < k; c++) { a += tp[g * k + c]!; b += fp[g * k + c]!; d += fn[g * k + c]!; }
    const v = f1(a, b, d);
    if (v > bf) { bf = v; bg = g; }
  }
  return { thresholds: new Array<number>(k).fill(grid[bg]!), f1: [bf] };
}
