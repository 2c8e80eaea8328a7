// Class weights for imbalanced data, as loss weights.

/**
 * 'balanced': n_samples / (n_classes · count[c]), scikit-learn's compute_class_weight.
 * Every class in [0, numClasses) must occur (its weight would be infinite otherwise).
 */
export function computeClassWeights(mode: 'balanced', labels: ArrayLike<number>, numClasses: number): number[] {
  if (mode !== 'balanced') throw new Error(`computeClassWeights: unknown mode '${mode}' (expected 'balanced')`);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`computeClassWeights: numClasses must be a positive integer, got ${numClasses}`);
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= numClasses) throw new RangeError(`computeClassWeights: labels[${i}] = ${l} is not a class in [0, ${numClasses})`);
    counts[l]!++;
  }
  const missing = counts.findIndex((c) => c === 0);
  if (missing >= 0) throw new Error(`computeClassWeights: class ${missing} has no samples, so its balanced weight is undefined`);
  return counts.map((c) => labels.length / (numClasses * c));
}
