// Turns a config's dataset/split/regroup/labelNoise sections into train, validation and
// test datasets. Splits are index views (Subset) of one loaded dataset, so nothing is copied.
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  type Dataset, type LabelNoiseResult, Subset, fashionMnist, mnist, cifar10, cifar100, imageFolder, labelledImageDir, arrayDataset, type LabelledImageDir,
  stratifiedSplit, randomSplit, regroupDataset, fashionMnistRegroup, labelNoise, ASYMMETRIC_MAPPINGS, vocDataset,
} from '../data/index.js';
import type { ExperimentConfig, DatasetConfig } from './config.js';
import { ConfigError } from './config-check.js';
import { RelabelledDataset } from './relabelled-dataset.js';

export interface ExperimentData {
  train: Dataset;
  val?: Dataset;
  test: Dataset;
  classNames: string[];
  /** [channels, height, width] of the stored images (before transforms). */
  imageShape: [number, number, number];
  /** What the synthetic label noise actually did to the training labels. */
  labelNoise?: {
    realisedRate: number;
    transitionMatrix: number[][];
    /** The training labels before the noise. */
    trueLabels: Int32Array;
    /** With labelNoise.cleanSubset: training samples whose labels were kept true (trusted). */
    cleanIndices?: Int32Array;
    /** With labelNoise.cleanSubset: the noisy label drawn for every sample, the trusted ones included. */
    noisyForAll?: Int32Array;
  };
  /**
   * Training samples whose given label is trusted (labelNoise.cleanSubset, or a labelled-dir
   * read with labels 'trusted'), and every training sample's noisy label, the trusted ones'
   * included: what label cleaning and the clean-subset transition estimate learn from.
   */
  trusted?: { indices: Int32Array; noisyLabels: Int32Array };
}

/** Per sample of a source's training set: whether its label is trusted, and its noisy label. */
interface TrustedLabels { flags: Uint8Array; noisy: Int32Array }

interface Sources { train: Dataset; test?: Dataset; trusted?: TrustedLabels }

function takeTrusted(t: TrustedLabels | undefined, idx: ArrayLike<number>): TrustedLabels | undefined {
  return t && { flags: Uint8Array.from(idx as ArrayLike<number>, (i) => t.flags[i]!), noisy: Int32Array.from(idx as ArrayLike<number>, (i) => t.noisy[i]!) };
}

function resolvePath(p: string, baseDir: string): string {
  return path.isAbsolute(p) ? p : path.resolve(baseDir, p);
}

function npyFile(root: string, stem: string): string | undefined {
  for (const ext of ['.npy', '.npz']) {
    const f = path.join(root, stem + ext);
    if (existsSync(f)) return f;
  }
  return undefined;
}

async function loadSources(d: DatasetConfig, baseDir: string, task: ExperimentConfig['task']): Promise<Sources> {
  const root = d.root === undefined ? undefined : resolvePath(d.root, baseDir);
  switch (d.kind) {
    case 'fashion-mnist':
    case 'mnist': {
      const load = d.kind === 'mnist' ? mnist : fashionMnist;
      const opts = { ...(root ? { root } : {}), download: d.download ?? false };
      return { train: await load({ ...opts, split: 'train' }), test: await load({ ...opts, split: 'test' }) };
    }
    case 'cifar10':
    case 'cifar100': {
      const load = d.kind === 'cifar10' ? cifar10 : cifar100;
      const opts = { root: root!, download: d.download ?? false };
      return { train: await load({ ...opts, split: 'train' }), test: await load({ ...opts, split: 'test' }) };
    }
    case 'image-folder': {
      const opts = { size: d.size!, channels: d.channels ?? 3 };
      const train = await imageFolder(root!, opts);
      if (!d.testRoot) return { train };
      const test = await imageFolder(resolvePath(d.testRoot, baseDir), opts);
      if (test.classNames.join('\n') !== train.classNames.join('\n')) {
        throw new ConfigError(`config.dataset.testRoot: its classes (${test.classNames.join(', ')}) differ from root's (${train.classNames.join(', ')})`);
      }
      return { train, test };
    }
    case 'labelled-dir': {
      const dir = await labelledImageDir(root!, {
        ...(d.size !== undefined ? { size: d.size } : {}), ...(d.channels ? { channels: d.channels } : {}),
        ...(d.classNames ? { classNames: d.classNames } : {}),
      });
      if (d.labels === 'clean') {
        if (!dir.clean) throw new ConfigError(`config.dataset.labels: 'clean' but ${root} has no clean label file`);
        return { train: dir.clean };
      }
      if (!dir.noisy) throw new ConfigError(`config.dataset.labels: '${d.labels ?? 'noisy'}' but ${root} has no noisy label file`);
      if (d.labels === 'trusted') return trustedSources(dir, d, root!);
      if (!dir.clean || !dir.cleanIndices) return { train: dir.noisy };
      // The clean-labelled images are the test set, so they must not be trained on.
      const isClean = new Uint8Array(dir.noisy.length);
      for (const i of dir.cleanIndices) isClean[i] = 1;
      const rest = Int32Array.from({ length: dir.noisy.length }, (_, i) => i).filter((i) => !isClean[i]);
      return { train: new Subset(dir.noisy, rest), test: dir.clean };
    }
    case 'voc': {
      const target = task === 'multilabel' ? 'multilabel' : 'segmentation';
      const opts = { target, ...(d.size !== undefined ? { size: d.size } : {}), ...(d.classNames ? { classNames: d.classNames } : {}) } as const;
      const set = target === 'segmentation' ? 'Segmentation' : 'Main';
      const testSplit = existsSync(path.join(root!, 'ImageSets', set, 'test.txt')) ? 'test' : 'val';
      return { train: await vocDataset(root!, { ...opts, split: 'train' }), test: await vocDataset(root!, { ...opts, split: testSplit }) };
    }
    case 'npy': {
      const need = (stem: string) => {
        const f = npyFile(root!, stem);
        if (!f) throw new ConfigError(`config.dataset.root: ${root} has no ${stem}.npy (expected train_images, train_labels and optionally test_images, test_labels)`);
        return f;
      };
      const opts = d.classNames ? { classNames: d.classNames } : {};
      const train = arrayDataset(need('train_images'), need('train_labels'), opts);
      const testImages = npyFile(root!, 'test_images');
      if (!testImages) return { train };
      const test = arrayDataset(testImages, need('test_labels'), { classNames: d.classNames ?? train.classNames });
      return { train, test };
    }
  }
}

/**
 * labelled-dir with labels 'trusted': every image trains, with its trusted label where it
 * has one and its noisy label elsewhere, except a stratified share of the trusted images
 * (dataset.trustedTest) held out, with their trusted labels, as the test split.
 */
function trustedSources(dir: LabelledImageDir, d: DatasetConfig, root: string): Sources {
  if (!dir.clean || !dir.cleanIndices || !dir.cleanLabels || !dir.noisyLabels) {
    throw new ConfigError(`config.dataset.labels: 'trusted' but ${root} has no clean label file`);
  }
  const m = dir.cleanIndices.length;
  const held = countOf(d.trustedTest ?? 0.5, m);
  if (held < 1 || held >= m) throw new ConfigError(`config.dataset.trustedTest: ${held} of the ${m} trusted images held out for testing leaves ${m - held} to train the methods on`);
  // A fixed split (seed 0): runs of any seed are tested on the same images.
  const split = stratifiedSplit(dir.cleanLabels, { train: m - held, val: 0, test: held }, 0);
  const heldOut = new Uint8Array(dir.noisyLabels.length);
  const testPositions = Int32Array.from(split.test).sort();
  const trainTrusted = new Map<number, number>();
  for (const p of split.train) trainTrusted.set(dir.cleanIndices[p]!, dir.cleanLabels[p]!);
  for (const p of testPositions) heldOut[dir.cleanIndices[p]!] = 1;
  const rest = Int32Array.from({ length: dir.noisyLabels.length }, (_, i) => i).filter((i) => !heldOut[i]);
  const given = Int32Array.from(rest, (i) => trainTrusted.get(i) ?? dir.noisyLabels![i]!);
  return {
    train: new RelabelledDataset(new Subset(dir.noisy!, rest), given),
    test: new Subset(dir.clean, testPositions),
    trusted: { flags: Uint8Array.from(rest, (i) => (trainTrusted.has(i) ? 1 : 0)), noisy: Int32Array.from(rest, (i) => dir.noisyLabels![i]!) },
  };
}

function regroup(ds: Dataset, cfg: ExperimentConfig): Dataset {
  if (!cfg.regroup) return ds;
  const r = cfg.regroup === 'fashion-mnist-3' ? fashionMnistRegroup : cfg.regroup;
  try {
    return regroupDataset(ds, r.mapping, r.classNames);
  } catch (e) {
    throw new ConfigError(`config.regroup: ${(e as Error).message}`);
  }
}

function labelsOf(ds: Dataset, what: string): Int32Array {
  if (!ds.labels) throw new Error(`${what}: the dataset has no class labels`);
  return ds.labels;
}

/** Fraction (< 1) or count of n, as a count. */
function countOf(size: number, n: number): number {
  return size < 1 ? Math.round(size * n) : size;
}

/** Loads the data a config describes; relative paths are resolved against baseDir (the config file's folder). */
export async function loadExperimentData(cfg: ExperimentConfig, baseDir = process.cwd()): Promise<ExperimentData> {
  const sources = await loadSources(cfg.dataset, baseDir, cfg.task);
  let pool: Dataset = regroup(sources.train, cfg);
  let trusted = sources.trusted;
  let test: Dataset | undefined = sources.test ? regroup(sources.test, cfg) : undefined;
  const seed = cfg.seed;
  if (cfg.dataset.limit !== undefined && cfg.dataset.limit < pool.length) {
    const keep = cfg.split.stratified && pool.labels
      ? stratifiedSplit(labelsOf(pool, 'config.dataset.limit'), { train: cfg.dataset.limit, val: 0 }, seed).train
      : randomSplit(pool.length, [cfg.dataset.limit], seed)[0]!;
    pool = new Subset(pool, keep);
    trusted = takeTrusted(trusted, keep);
  }
  const n = pool.length;
  const testCount = cfg.split.test === 'dataset' ? 0 : countOf(cfg.split.test, n);
  const valCount = countOf(cfg.split.val, n);
  if (valCount + testCount >= n) {
    throw new ConfigError(`config.split: validation (${valCount}) and test (${testCount}) samples leave nothing to train on out of ${n}`);
  }
  const counts = { train: n - valCount - testCount, val: valCount, test: testCount };
  // Masks and label sets have no single class to stratify by.
  const parts = cfg.split.stratified && pool.labels
    ? stratifiedSplit(labelsOf(pool, 'config.split.stratified'), counts, seed)
    : (([train, val, testIdx]) => ({ train: train!, val: val!, test: testIdx! }))(randomSplit(n, [counts.train, counts.val, counts.test], seed));
  if (cfg.split.test !== 'dataset') test = new Subset(pool, parts.test);
  if (!test) throw new ConfigError(`config.split.test: the dataset has no test split${cfg.dataset.kind === 'npy' ? ` (no test_images.npy in ${cfg.dataset.root})` : ''}; give a fraction or count to hold out`);
  let train: Dataset = new Subset(pool, parts.train);
  const val = valCount > 0 ? new Subset(pool, parts.val) : undefined;
  const out: ExperimentData = { train, test, classNames: [...pool.classNames], imageShape: [...pool.imageShape] };
  if (val) out.val = val;
  const trainTrusted = takeTrusted(trusted, parts.train);
  if (trainTrusted) {
    out.trusted = { indices: Int32Array.from({ length: trainTrusted.flags.length }, (_, i) => i).filter((i) => trainTrusted.flags[i] === 1), noisyLabels: trainTrusted.noisy };
  }
  if (cfg.labelNoise) {
    const clean = labelsOf(train, 'config.labelNoise');
    const k = pool.classNames.length;
    const ln = cfg.labelNoise;
    const mapping = typeof ln.mapping === 'string' ? ASYMMETRIC_MAPPINGS[ln.mapping] : ln.mapping;
    const apply = (labels: Int32Array) => (ln.kind === 'symmetric'
      ? labelNoise.symmetric(labels, ln.rate, k, seed)
      : labelNoise.asymmetric(labels, {
        mapping: Object.fromEntries(Object.entries(mapping!).map(([a, b]) => [Number(a), b])),
        rate: ln.rate, numClasses: k,
      }, seed));
    if (ln.cleanSubset !== undefined && ln.cleanSubset > clean.length) {
      throw new ConfigError(`config.labelNoise.cleanSubset: ${ln.cleanSubset} trusted labels asked for but the training split has ${clean.length} images`);
    }
    const noise: LabelNoiseResult & { cleanIndices?: Int32Array; noisyForAll?: Int32Array } = ln.cleanSubset !== undefined
      ? labelNoise.withCleanSubset(clean, ln.cleanSubset, seed, apply) : apply(clean);
    train = new RelabelledDataset(train, noise.noisyLabels);
    out.train = train;
    out.labelNoise = {
      realisedRate: noise.realisedRate, transitionMatrix: noise.transitionMatrix, trueLabels: clean,
      ...(noise.cleanIndices ? { cleanIndices: noise.cleanIndices } : {}),
      ...(noise.noisyForAll ? { noisyForAll: noise.noisyForAll } : {}),
    };
    if (noise.cleanIndices && noise.noisyForAll) out.trusted = { indices: noise.cleanIndices, noisyLabels: noise.noisyForAll };
  }
  return out;
}
