// Forward loss correction (Patrini et al. 2017, "Making deep neural networks robust to
// label noise: a loss correction approach"). With T[i][j] = P(noisy = j | true = i), the
// network's clean-class probabilities p are pushed through the noise, p·T, and the loss is
// the cross-entropy of that noisy-label distribution against the noisy label. The network
// itself keeps predicting the clean class.
import { type Tensor, tensor, tidy, keep } from '../../torch/index.js';
import { nllLoss } from '../../nn/index.js';
import type { LossFunction } from '../../train/index.js';

/** Smallest probability under the log, so a zero entry of p·T gives a large loss, not -inf. */
const MIN_PROB = 1e-7;

export function checkTransition(t: readonly (readonly number[])[], who: string): number {
  const k = t.length;
  if (k < 2) throw new RangeError(`${who}: the transition matrix needs at least 2 classes, got ${k}`);
  t.forEach((row, i) => {
    if (row.length !== k) throw new RangeError(`${who}: the transition matrix must be square (${k}×${k}); row ${i} has ${row.length} entries`);
    const s = row.reduce((a, b) => a + b, 0);
    if (!row.every((v) => v >= 0 && Number.isFinite(v)) || Math.abs(s - 1) > 1e-4) throw new RangeError(`${who}: transition row ${i} must be probabilities summing to 1, sums to ${s}`);
  });
  return k;
}

/** The forward-corrected cross-entropy for a transition matrix T (rows: true class). */
export function forwardCorrectedLoss(transition: readonly (readonly number[])[]): LossFunction {
  const k = checkTransition(transition, 'forwardCorrectedLoss');
  const flat = Float32Array.from(transition.flat());
  let onDevice: Tensor | undefined;
  const fn: LossFunction = (logits, targets, o = {}) => {
    if (logits.shape[1] !== k) throw new RangeError(`forwardCorrectedLoss: logits [${logits.shape}] do not have the ${k} classes of the transition matrix`);
    if (!onDevice || onDevice.isDisposed || onDevice.device !== logits.device) {
      onDevice?.dispose();
      onDevice = keep(tidy(() => tensor(flat, { shape: [k, k] }).to(logits.device)));
    }
    return tidy(() => {
      const noisyProbs = logits.softmax(1).matmul(onDevice!.to(logits.dtype)).clamp(MIN_PROB);
      return nllLoss(noisyProbs.log(), targets, { reduction: o.reduction ?? 'mean' });
    });
  };
  return fn;
}

/**
 * T estimated from a model's predicted noisy-label probabilities (Patrini's estimator
 * without clean data): for each class i the "anchor" is the sample whose probability of i
 * is at the given percentile (0.97 in the paper, robust to outliers over the maximum),
 * taken as surely of class i; its predicted distribution is row i.
 * probs: [N, K] row-major, e.g. softmax outputs of a network trained on the noisy labels.
 */
export function estimateTransitionFromAnchors(probs: Float32Array | Float64Array, numClasses: number, percentile = 0.97): number[][] {
  const who = 'estimateTransitionFromAnchors';
  const k = numClasses;
  if (probs.length % k !== 0 || probs.length === 0) throw new RangeError(`${who}: ${probs.length} probabilities are not a whole number of rows of ${k}`);
  if (!(percentile > 0 && percentile <= 1)) throw new RangeError(`${who}: percentile must be in (0, 1], got ${percentile}`);
  const n = probs.length / k;
  const rows: number[][] = [];
  for (let i = 0; i < k; i++) {
    const column = Float64Array.from({ length: n }, (_, s) => probs[s * k + i]!).sort();
    const threshold = column[Math.min(n - 1, Math.floor(percentile * (n - 1)))]!;
    // The sample closest to the threshold from below or at it.
    let anchor = -1;
    let best = -Infinity;
    for (let s = 0; s < n; s++) {
      const v = probs[s * k + i]!;
      if (v <= threshold && v > best) { best = v; anchor = s; }
    }
    const row = Array.from({ length: k }, (_, j) => probs[anchor * k + j]!);
    const total = row.reduce((a, b) => a + b, 0);
    rows.push(row.map((v) => v / total));
  }
  return rows;
}
