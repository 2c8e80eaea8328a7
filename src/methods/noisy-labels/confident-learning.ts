// Confident learning (Northcutt, Jiang & Chuang 2021, "Confident Learning: Estimating
// Uncertainty in Dataset Labels"): from out-of-fold predicted probabilities and the given
// (possibly wrong) labels, count which samples a model is confident belong to another
// class than the one they are labelled with, estimate the joint distribution of given and
// true labels from those counts, and name the samples whose labels look wrong.
//
// Plain arrays in, plain arrays out, float64 arithmetic throughout: the counts must not
// depend on a device or on float32 rounding of the thresholds.
//
// Orientation. The paper writes the confident joint C[ỹ = i][y* = j] with rows indexed
// by the given label. The noise matrix returned here is the other way round, like the rest
// of visionlab (labelNoise.empiricalTransition, ForwardCorrectionTask):
//   noiseMatrix[true = j][given = i] = P(given = i | true = j),  rows summing to 1,
// so it can be compared with a synthetic noise's transition matrix and fed to forward
// correction as it is.

export interface ConfidentJoint {
  /** Classes. */
  k: number;
  /** t_j: the mean predicted probability of class j over the samples labelled j. */
  thresholds: Float64Array;
  /** C[given][true] as counts, rows indexed by the given label (the paper's orientation). */
  counts: number[][];
  /**
   * Per sample, the class it is confidently counted as (its column of C), or -1 when no
   * class reaches its threshold (the sample is not counted).
   */
  assigned: Int32Array;
  /** Samples per given label, |X_ỹ=i|. */
  labelCounts: number[];
}

export interface LabelIssue {
  /** Row of the probabilities (the training sample's index). */
  index: number;
  given: number;
  /**
   * The class the sample is confidently counted as (its off-diagonal column of the
   * confident joint). It is the argmax of the probabilities whenever the argmax class
   * reaches its own threshold, and never the given label.
   */
  suggested: number;
  /** Self-confidence: the predicted probability of the given label. */
  confidence: number;
}

export interface ConfidentLearningResult extends ConfidentJoint {
  /** The confident joint with each row rescaled to the given label's sample count (the paper's calibration). */
  calibrated: number[][];
  /** Q[given][true]: the estimated joint distribution of given and true labels (sums to 1). */
  joint: number[][];
  /** P(given = i | true = j) as noiseMatrix[j][i]: rows are true classes (visionlab's orientation). */
  noiseMatrix: number[][];
  /** Estimated share of samples of each true class, from the joint's columns. */
  truePrior: number[];
  /** Off-diagonal samples of the confident joint, least self-confident first. */
  issues: LabelIssue[];
}

function checkInputs(probs: ArrayLike<number>, labels: ArrayLike<number>, k: number, who: string): number {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`${who}: numClasses must be an integer >= 2, got ${k}`);
  const n = labels.length;
  if (probs.length !== n * k) {
    throw new RangeError(`${who}: probs has ${probs.length} values; ${n} labels × ${k} classes need ${n * k} (N×K, row-major)`);
  }
  for (let s = 0; s < n; s++) {
    const l = labels[s]!;
    if (!Number.isInteger(l) || l < 0 || l >= k) throw new RangeError(`${who}: labels[${s}] = ${l} is not a class in [0, ${k})`);
  }
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    // A little above 1 is float32 rounding of a softmax, not a mistake.
    if (!(p >= 0 && p <= 1 + 1e-6)) throw new RangeError(`${who}: probs[${Math.floor(i / k)}][${i % k}] = ${p} is not a probability in [0, 1]`);
  }
  return n;
}

/**
 * t_j = mean of p(j | x) over the samples labelled j: the model's typical confidence in
 * its own class, so "confident" adapts to each class's difficulty. A class nobody is
 * labelled with gets +Infinity (nothing can be confidently counted as it).
 */
export function perClassThresholds(probs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): Float64Array {
  const k = numClasses;
  const n = checkInputs(probs, labels, k, 'perClassThresholds');
  const sum = new Float64Array(k);
  const count = new Float64Array(k);
  for (let s = 0; s < n; s++) {
    const l = labels[s]!;
    sum[l]! += probs[s * k + l]!;
    count[l]!++;
  }
  return Float64Array.from(sum, (v, j) => (count[j]! > 0 ? v / count[j]! : Infinity));
}

/**
 * C[i][j]: samples labelled i whose probability of j reaches t_j. A sample with several
 * such classes counts once, for the most probable of them (the paper's rule, so that each
 * sample lands in at most one cell); a sample with none is not counted.
 */
export function confidentJoint(probs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): ConfidentJoint {
  const k = numClasses;
  const thresholds = perClassThresholds(probs, labels, k);
  const n = labels.length;
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const labelCounts = new Array<number>(k).fill(0);
  const assigned = new Int32Array(n).fill(-1);
  for (let s = 0; s < n; s++) {
    const given = labels[s]!;
    labelCounts[given]!++;
    let best = -1;
    let bestP = -Infinity;
    for (let j = 0; j < k; j++) {
      const p = probs[s * k + j]!;
      // Ties go to the lower class index, so the counts do not depend on anything but the inputs.
      if (p >= thresholds[j]! && p > bestP) {
        best = j;
        bestP = p;
      }
    }
    if (best >= 0) {
      counts[given]![best]!++;
      assigned[s] = best;
    }
  }
  return { k, thresholds, counts, assigned, labelCounts };
}

/**
 * Rows of C rescaled to sum to the given-label counts (C̃ in the paper): the samples that
 * reached no threshold are spread over their row in the proportions of the counted ones.
 * A row with no counted sample stays zero.
 */
export function calibrateConfidentJoint(cj: ConfidentJoint): number[][] {
  return cj.counts.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? row.map(() => 0) : row.map((c) => (c / total) * cj.labelCounts[i]!);
  });
}

/** Q[given][true] = C̃ / sum(C̃). */
export function estimateJoint(calibrated: readonly (readonly number[])[]): number[][] {
  const total = calibrated.reduce((a, row) => a + row.reduce((b, v) => b + v, 0), 0);
  if (total === 0) throw new RangeError('estimateJoint: the confident joint is empty (no sample reached any class threshold)');
  return calibrated.map((row) => row.map((v) => v / total));
}

/**
 * P(given = i | true = j) = Q[i][j] / Σ_i Q[i][j], returned as T[j][i] (rows are true
 * classes). A true class the joint never saw gets an identity row, as in
 * labelNoise.empiricalTransition.
 */
export function noiseMatrixFromJoint(joint: readonly (readonly number[])[]): number[][] {
  const k = joint.length;
  return Array.from({ length: k }, (_, j) => {
    let column = 0;
    for (let i = 0; i < k; i++) column += joint[i]![j]!;
    return Array.from({ length: k }, (_, i) => (column === 0 ? (i === j ? 1 : 0) : joint[i]![j]! / column));
  });
}

/**
 * Label issues by "prune by confident joint" (the paper's C_ỹ,y* method): every sample
 * counted off the diagonal of C, i.e. confidently of a class other than its given one.
 * Unlike the confusion-matrix rule (argmax ≠ given), a sample only counts when the other
 * class clears that class's own threshold. Ranked least self-confident first (lowest
 * probability of the given label), ties by index.
 */
export function findLabelIssues(probs: ArrayLike<number>, labels: ArrayLike<number>, cj: ConfidentJoint): LabelIssue[] {
  const k = cj.k;
  const issues: LabelIssue[] = [];
  for (let s = 0; s < labels.length; s++) {
    const given = labels[s]!;
    const col = cj.assigned[s]!;
    if (col >= 0 && col !== given) issues.push({ index: s, given, suggested: col, confidence: probs[s * k + given]! });
  }
  return issues.sort((a, b) => a.confidence - b.confidence || a.index - b.index);
}

/** The whole estimate from out-of-fold probabilities [N×K, row-major] and the given labels. */
export function confidentLearning(probs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): ConfidentLearningResult {
  const cj = confidentJoint(probs, labels, numClasses);
  const calibrated = calibrateConfidentJoint(cj);
  const joint = estimateJoint(calibrated);
  const truePrior = Array.from({ length: cj.k }, (_, j) => joint.reduce((a, row) => a + row[j]!, 0));
  return { ...cj, calibrated, joint, noiseMatrix: noiseMatrixFromJoint(joint), truePrior, issues: findLabelIssues(probs, labels, cj) };
}

export interface IssueDetectionScores {
  /** Issues found. */
  found: number;
  /** Samples whose given label differs from the true one. */
  wrong: number;
  /** Found issues that are wrong labels. */
  truePositives: number;
  /** truePositives / found (NaN when nothing was found). */
  precision: number;
  /** truePositives / wrong (NaN when no label is wrong). */
  recall: number;
}

/** How well the issues match the samples whose given label is not the true one (synthetic noise). */
export function issueDetectionScores(issues: readonly Pick<LabelIssue, 'index'>[], given: ArrayLike<number>, trueLabels: ArrayLike<number>): IssueDetectionScores {
  if (given.length !== trueLabels.length) throw new RangeError(`issueDetectionScores: ${given.length} given labels but ${trueLabels.length} true ones`);
  let wrong = 0;
  for (let s = 0; s < given.length; s++) if (given[s] !== trueLabels[s]) wrong++;
  let truePositives = 0;
  for (const { index } of issues) {
    if (index < 0 || index >= given.length) throw new RangeError(`issueDetectionScores: issue index ${index} outside [0, ${given.length})`);
    if (given[index] !== trueLabels[index]) truePositives++;
  }
  return {
    found: issues.length, wrong, truePositives,
    precision: issues.length ? truePositives / issues.length : NaN,
    recall: wrong ? truePositives / wrong : NaN,
  };
}
