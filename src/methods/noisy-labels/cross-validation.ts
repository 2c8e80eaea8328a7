// Out-of-fold predicted probabilities: split the training samples into folds, train a
// fresh model on all folds but one and predict the held-out one, so that every sample's
// probabilities come from a model that never saw its (possibly wrong) label. Confident
// learning needs exactly this: in-sample predictions memorise the noise.
//
// The folds are index bookkeeping, dealt with the data layer's seeded Rng; the training
// itself is the caller's (MethodSetup.trainAndPredict trains a model of the config).
import { Rng } from '../../data/index.js';

export type TrainAndPredict = (trainIndices: Int32Array, predictIndices: Int32Array, opts?: { epochs?: number }) => Promise<Float32Array>;

export interface OutOfFoldOptions {
  /** Given labels: folds are then stratified (each class spread evenly over the folds). */
  labels?: ArrayLike<number>;
  /** Epochs of each fold's model (passed to trainAndPredict; default: its own). */
  epochs?: number;
  /** Called after each fold, e.g. for a progress line. */
  onFold?: (fold: number, folds: number, held: number) => void;
}

/**
 * The fold (0..folds-1) of each of n samples: a seeded shuffle dealt round-robin, per
 * class when labels are given, so fold sizes differ by at most one (per class).
 * The dealing continues across classes, so small classes do not all start at fold 0.
 */
export function foldAssignment(n: number, folds: number, seed: number, labels?: ArrayLike<number>): Int32Array {
  const who = 'foldAssignment';
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`${who}: folds must be an integer >= 2, got ${folds}`);
  if (!Number.isInteger(n) || n < folds) throw new RangeError(`${who}: ${n} samples cannot fill ${folds} folds`);
  if (labels && labels.length !== n) throw new RangeError(`${who}: ${labels.length} labels for ${n} samples`);
  const rng = new Rng(seed);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = labels ? labels[i]! : 0;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  }
  const fold = new Int32Array(n);
  let next = 0;
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const members = groups.get(key)!;
    rng.shuffle(members);
    for (const i of members) {
      fold[i] = next;
      next = (next + 1) % folds;
    }
  }
  return fold;
}

/**
 * N×K out-of-fold probabilities (row-major): for each fold, trainAndPredict(the other
 * folds' indices, this fold's indices) and its rows put back in place.
 */
export async function outOfFoldProbabilities(
  n: number, k: number, folds: number, trainAndPredict: TrainAndPredict, seed: number, opts: OutOfFoldOptions = {},
): Promise<Float32Array> {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`outOfFoldProbabilities: k must be an integer >= 2 classes, got ${k}`);
  const fold = foldAssignment(n, folds, seed, opts.labels);
  const out = new Float32Array(n * k);
  for (let f = 0; f < folds; f++) {
    const held: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? held : train).push(i);
    const heldIdx = Int32Array.from(held);
    const probs = await trainAndPredict(Int32Array.from(train), heldIdx, opts.epochs !== undefined ? { epochs: opts.epochs } : undefined);
    if (probs.length !== held.length * k) {
      throw new RangeError(`outOfFoldProbabilities: fold ${f + 1} of ${folds} returned ${probs.length} probabilities for ${held.length} samples × ${k} classes`);
    }
    heldIdx.forEach((i, r) => out.set(probs.subarray(r * k, (r + 1) * k), i * k));
    opts.onFold?.(f, folds, held.length);
  }
  return out;
}
