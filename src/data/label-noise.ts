// Synthetic label noise for robustness studies: symmetric (a uniformly chosen other
// class) and asymmetric (class-dependent, by a transition matrix or a class mapping).
// Every result reports what was actually done: the realised flip rate and the empirical
// transition matrix T[i][j] = P(noisy = j | clean = i).
import { Rng } from './transforms/rng.js';
import { stratifiedSplit } from './splits.js';

export interface LabelNoiseResult {
  noisyLabels: Int32Array;
  /** Fraction of labels that changed. */
  realisedRate: number;
  /** Row-normalised counts of (clean, noisy) pairs; a class without samples gets an identity row. */
  transitionMatrix: number[][];
}

function checkLabels(labels: ArrayLike<number>, numClasses: number, who: string): void {
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new RangeError(`${who}: numClasses must be an integer >= 2, got ${numClasses}`);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= numClasses) throw new RangeError(`${who}: labels[${i}] = ${l} is not a class in [0, ${numClasses})`);
  }
}

/** Empirical P(noisy = j | clean = i), rows summing to 1. */
export function empiricalTransition(clean: ArrayLike<number>, noisy: ArrayLike<number>, numClasses: number): number[][] {
  if (clean.length !== noisy.length) throw new Error(`empiricalTransition: ${clean.length} clean labels but ${noisy.length} noisy ones`);
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < clean.length; i++) counts[clean[i]!]![noisy[i]!]!++;
  return counts.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? row.map((_, j) => (j === i ? 1 : 0)) : row.map((v) => v / total);
  });
}

function result(clean: ArrayLike<number>, noisy: Int32Array, numClasses: number): LabelNoiseResult {
  let changed = 0;
  for (let i = 0; i < noisy.length; i++) if (noisy[i] !== clean[i]) changed++;
  return { noisyLabels: noisy, realisedRate: noisy.length ? changed / noisy.length : 0, transitionMatrix: empiricalTransition(clean, noisy, numClasses) };
}

function checkRate(rate: number, who: string): void {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${who}: rate must be in [0, 1], got ${rate}`);
}

/** With probability rate, each label becomes a uniformly chosen different class. */
export function symmetric(labels: ArrayLike<number>, rate: number, numClasses: number, seed = 0): LabelNoiseResult {
  const who = 'labelNoise.symmetric';
  checkRate(rate, who);
  checkLabels(labels, numClasses, who);
  const rng = new Rng(seed);
  const noisy = Int32Array.from(labels as ArrayLike<number>);
  for (let i = 0; i < noisy.length; i++) {
    if (rng.next() < rate) {
      // A draw among the numClasses - 1 others: skip over the true class.
      const other = rng.int(numClasses - 1);
      noisy[i] = other >= noisy[i]! ? other + 1 : other;
    }
  }
  return result(labels, noisy, numClasses);
}

export type AsymmetricSpec =
  | { transition: number[][] }
  | { mapping: Record<number, number>; rate: number; numClasses?: number };

/**
 * Class-dependent noise: the noisy label of a class-i sample is drawn from row i of a
 * transition matrix, or (mapping form) becomes mapping[i] with probability rate, classes
 * absent from the mapping staying clean.
 */
export function asymmetric(labels: ArrayLike<number>, spec: AsymmetricSpec, seed = 0): LabelNoiseResult {
  const who = 'labelNoise.asymmetric';
  const rng = new Rng(seed);
  if ('transition' in spec) {
    const t = spec.transition;
    const k = t.length;
    t.forEach((row, i) => {
      if (row.length !== k) throw new Error(`${who}: transition must be square, row ${i} has ${row.length} entries for ${k} classes`);
      if (!row.every((v) => v >= 0 && Number.isFinite(v))) throw new RangeError(`${who}: transition row ${i} has a negative or non-finite entry`);
      const sum = row.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > 1e-6) throw new RangeError(`${who}: transition row ${i} sums to ${sum}, not 1`);
    });
    checkLabels(labels, k, who);
    const cumulative = t.map((row) => { let acc = 0; return row.map((v) => (acc += v)); });
    const noisy = new Int32Array(labels.length);
    for (let i = 0; i < labels.length; i++) {
      const cum = cumulative[labels[i]!]!;
      const u = rng.next() * cum[k - 1]!;
      let j = 0;
      while (j < k - 1 && cum[j]! <= u) j++;
      noisy[i] = j;
    }
    return result(labels, noisy, k);
  }
  const { mapping, rate } = spec;
  checkRate(rate, who);
  const entries = Object.entries(mapping).map(([from, to]) => [Number(from), to] as const);
  for (const [from, to] of entries) {
    if (!Number.isInteger(from) || from < 0 || !Number.isInteger(to) || to < 0) throw new RangeError(`${who}: mapping ${from} -> ${to} must map class indices`);
  }
  let numClasses = spec.numClasses ?? 0;
  if (!spec.numClasses) {
    for (let i = 0; i < labels.length; i++) numClasses = Math.max(numClasses, labels[i]! + 1);
    for (const [from, to] of entries) numClasses = Math.max(numClasses, from + 1, to + 1);
  }
  checkLabels(labels, numClasses, who);
  for (const [from, to] of entries) {
    if (from >= numClasses || to >= numClasses) throw new RangeError(`${who}: mapping ${from} -> ${to} leaves the classes [0, ${numClasses})`);
  }
  const target = new Map(entries);
  const noisy = Int32Array.from(labels as ArrayLike<number>);
  for (let i = 0; i < noisy.length; i++) {
    const to = target.get(noisy[i]!);
    // One draw per sample whatever its class, so the stream does not depend on the mapping.
    if (rng.next() < rate && to !== undefined) noisy[i] = to;
  }
  return result(labels, noisy, numClasses);
}

/**
 * The CIFAR-10 asymmetric noise of Patrini et al. (2017): truck -> automobile,
 * bird -> airplane, deer -> horse, cat <-> dog.
 */
export const cifar10AsymmetricMapping: Readonly<Record<number, number>> = Object.freeze({ 9: 1, 2: 0, 4: 7, 3: 5, 5: 3 });

/**
 * Asymmetric noise between Fashion-MNIST's confusable classes, in the spirit of the
 * CIFAR-10 map: T-shirt/top <-> Shirt, Pullover <-> Coat (upper-body garments that differ
 * in a collar or a zip), Sandal -> Sneaker and Ankle boot -> Sneaker (footwear). Trouser,
 * Dress and Bag stay clean. Class indices: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress,
 * 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot.
 */
export const fashionMnistAsymmetricMapping: Readonly<Record<number, number>> = Object.freeze({ 0: 6, 6: 0, 2: 4, 4: 2, 5: 7, 9: 7 });

/** The standard asymmetric maps by dataset name. */
export const ASYMMETRIC_MAPPINGS = Object.freeze({ cifar10: cifar10AsymmetricMapping, 'fashion-mnist': fashionMnistAsymmetricMapping });
export type AsymmetricMappingName = keyof typeof ASYMMETRIC_MAPPINGS;

export interface CleanSubsetNoiseResult extends LabelNoiseResult {
  /** Samples that keep their true (trusted) label, sorted. */
  cleanIndices: Int32Array;
  /**
   * The noise drawn for every sample, the trusted ones included: what their given label
   * would have been. The study's layout has both labels for its trusted images.
   */
  noisyForAll: Int32Array;
}

/**
 * The noisy-label study's setting: trusted labels for cleanCount samples (stratified by
 * class, seeded), noisy labels from `noise` for the others. The realised rate and the
 * transition matrix describe the noisy part only, where the noise applies.
 */
export function withCleanSubset(labels: ArrayLike<number>, cleanCount: number, seed: number, noise: (labels: Int32Array) => LabelNoiseResult): CleanSubsetNoiseResult {
  const who = 'labelNoise.withCleanSubset';
  if (!Number.isInteger(cleanCount) || cleanCount < 0 || cleanCount > labels.length) {
    throw new RangeError(`${who}: cleanSubset must be an integer in [0, ${labels.length}] (the number of samples), got ${cleanCount}`);
  }
  // A size of 1 would read as "everything" to the splitter (fractions sum to 1).
  const cleanIndices = cleanCount === 0 ? new Int32Array(0)
    : cleanCount === 1 ? Int32Array.of(new Rng(seed).int(labels.length))
      : Int32Array.from(stratifiedSplit(labels, { train: cleanCount, val: 0 }, seed).train).sort();
  const isClean = new Uint8Array(labels.length);
  for (const i of cleanIndices) isClean[i] = 1;
  const noisyForAll = noise(Int32Array.from(labels as ArrayLike<number>)).noisyLabels;
  const given = Int32Array.from(noisyForAll, (l, i) => (isClean[i] ? labels[i]! : l));
  const rest = Int32Array.from({ length: labels.length }, (_, i) => i).filter((i) => !isClean[i]);
  let numClasses = 0;
  for (let i = 0; i < labels.length; i++) numClasses = Math.max(numClasses, labels[i]! + 1, noisyForAll[i]! + 1);
  const restResult = result(Int32Array.from(rest, (i) => labels[i]!), Int32Array.from(rest, (i) => given[i]!), numClasses);
  return { ...restResult, noisyLabels: given, cleanIndices, noisyForAll };
}

export const labelNoise = { symmetric, asymmetric, empiricalTransition, withCleanSubset };
