// Train/validation/test splits as index arrays: stratified (each class keeps its share in
// every split), plain random, and a fixed number of samples per class.
import { Rng } from './transforms/rng.js';

/** Fractions of the data (summing to at most 1) or sample counts (integers summing to more than 1). */
export interface SplitSizes { train: number; val?: number; test?: number }
export interface SplitIndices { train: Int32Array; val: Int32Array; test: Int32Array }

function checkLabels(labels: ArrayLike<number>, who: string): number {
  let numClasses = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0) throw new RangeError(`${who}: labels[${i}] must be a non-negative integer, got ${l}`);
    if (l + 1 > numClasses) numClasses = l + 1;
  }
  return numClasses;
}

/**
 * Turns sizes into sample counts out of n. All integers with a sum above 1 are counts;
 * otherwise they are fractions, and fractions summing to 1 use every sample (the
 * remainder goes to the largest fractional parts, in order).
 */
export function resolveSizes(sizes: readonly number[], n: number, who: string): number[] {
  if (sizes.length === 0) throw new Error(`${who}: no split sizes given`);
  for (const s of sizes) if (!(Number.isFinite(s) && s >= 0)) throw new RangeError(`${who}: split sizes must be non-negative numbers, got ${JSON.stringify(sizes)}`);
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sizes.every(Number.isInteger) && sum > 1) {
    if (sum > n) throw new RangeError(`${who}: split sizes ${JSON.stringify(sizes)} ask for ${sum} samples but there are ${n}`);
    return [...sizes];
  }
  if (sum > 1 + 1e-9) throw new RangeError(`${who}: fractions ${JSON.stringify(sizes)} sum to ${sum} > 1 (give integers for counts)`);
  const raw = sizes.map((f) => f * n);
  const counts = raw.map(Math.floor);
  if (Math.abs(sum - 1) <= 1e-9) {
    const order = raw.map((r, i) => ({ i, frac: r - Math.floor(r) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
    let left = n - counts.reduce((a, b) => a + b, 0);
    for (let k = 0; left > 0; k = (k + 1) % order.length, left--) counts[order[k]!.i]!++;
  }
  return counts;
}

/**
 * Index arrays (sorted) for train / val / test with the class proportions of labels kept
 * in each, up to rounding: every split's size is met exactly, each class's share being
 * its quota rounded by largest remainders.
 */
export function stratifiedSplit(labels: ArrayLike<number>, sizes: SplitSizes, seed = 0): SplitIndices {
  const who = 'stratifiedSplit';
  const numClasses = checkLabels(labels, who);
  const n = labels.length;
  const totals = resolveSizes([sizes.train, sizes.val ?? 0, sizes.test ?? 0], n, who);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < n; i++) byClass[labels[i]!]!.push(i);

  // alloc[c][s]: floors of the quotas, then each split's missing units to the classes
  // with the largest remainders that still have samples left.
  const alloc = byClass.map((members) => totals.map((t) => Math.floor((t * members.length) / n)));
  const used = alloc.map((row) => row.reduce((a, b) => a + b, 0));
  totals.forEach((t, s) => {
    let missing = t - alloc.reduce((a, row) => a + row[s]!, 0);
    const order = byClass
      .map((members, c) => ({ c, frac: (t * members.length) / n - alloc[c]![s]! }))
      .sort((a, b) => b.frac - a.frac || a.c - b.c);
    for (let k = 0; missing > 0; k = (k + 1) % order.length) {
      const c = order[k]!.c;
      if (used[c]! < byClass[c]!.length) {
        alloc[c]![s]!++;
        used[c]!++;
        missing--;
      }
    }
  });

  const rng = new Rng(seed);
  const out: number[][] = [[], [], []];
  byClass.forEach((members, c) => {
    const shuffled = rng.shuffle([...members]);
    let at = 0;
    for (let s = 0; s < 3; s++) {
      out[s]!.push(...shuffled.slice(at, at + alloc[c]![s]!));
      at += alloc[c]![s]!;
    }
  });
  const [train, val, test] = out.map((a) => Int32Array.from(a).sort());
  return { train: train!, val: val!, test: test! };
}

/** Disjoint random index arrays (sorted) of the given sizes (fractions or counts), like torch's random_split. */
export function randomSplit(n: number, sizes: readonly number[], seed = 0): Int32Array[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randomSplit: n must be a non-negative integer, got ${n}`);
  const counts = resolveSizes(sizes, n, 'randomSplit');
  const perm = new Rng(seed).permutation(n);
  const out: Int32Array[] = [];
  let at = 0;
  for (const c of counts) {
    out.push(perm.slice(at, at + c).sort());
    at += c;
  }
  return out;
}

/**
 * Indices (sorted) of nPerClass random samples of every class (a number, or one per
 * class). A class with fewer samples is an error unless allowFewer, which takes them all.
 */
export function subsetPerClass(labels: ArrayLike<number>, nPerClass: number | readonly number[], seed = 0, opts: { allowFewer?: boolean } = {}): Int32Array {
  const who = 'subsetPerClass';
  const numClasses = checkLabels(labels, who);
  const wanted = typeof nPerClass === 'number' ? new Array<number>(numClasses).fill(nPerClass) : [...nPerClass];
  if (wanted.length < numClasses) throw new Error(`${who}: ${wanted.length} counts given but the labels have ${numClasses} classes`);
  for (const w of wanted) if (!Number.isInteger(w) || w < 0) throw new RangeError(`${who}: counts per class must be non-negative integers, got ${JSON.stringify(nPerClass)}`);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]!]!.push(i);
  const rng = new Rng(seed);
  const out: number[] = [];
  byClass.forEach((members, c) => {
    const k = wanted[c]!;
    if (members.length < k && !opts.allowFewer) throw new RangeError(`${who}: class ${c} has ${members.length} samples, fewer than the ${k} asked (pass allowFewer to take them all)`);
    out.push(...rng.shuffle([...members]).slice(0, k));
  });
  return Int32Array.from(out).sort();
}
