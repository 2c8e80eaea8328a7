// The experiment config: what a YAML/JSON file may say, its defaults, and its validation.
// validateConfig returns a fully typed config with defaults filled in, or throws a
// ConfigError naming the field (config.optimizer.name) and the values it accepts.
import { listModels } from '../models/index.js';
import {
  ConfigError, fail, object, oneOf, number, string, boolean, list, optional, numberOrTuple, isObject, type Path,
} from './config-check.js';

export const DATASET_KINDS = ['fashion-mnist', 'mnist', 'cifar10', 'cifar100', 'image-folder', 'labelled-dir', 'npy'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];
export const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'rmsprop', 'adadelta', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const SCHEDULES = ['one-cycle', 'cosine', 'step', 'plateau', 'warmup-cosine'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];
export const REGROUPINGS = ['fashion-mnist-3'] as const;

/** Transforms a config may name, with the option keys each accepts (the constructors check the values). */
export const TRANSFORM_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  RandomCrop: ['size', 'padding', 'paddingMode'],
  RandomHorizontalFlip: ['p'],
  RandomVerticalFlip: ['p'],
  RandomRotation: ['degrees', 'fill'],
  RandomAffine: ['degrees', 'translate', 'scale', 'shear', 'fill'],
  RandomErasing: ['p', 'scale', 'ratio', 'value'],
  Cutout: ['size', 'p', 'value'],
  GaussianNoise: ['std', 'mean', 'clip'],
  ColorJitter: ['brightness', 'contrast', 'saturation'],
  RandomResizedCrop: ['size', 'scale', 'ratio'],
  Resize: ['size'],
  CenterCrop: ['size'],
};

export interface DatasetConfig {
  kind: DatasetKind;
  /** Folder of the data (required for cifar, image-folder, labelled-dir, npy). Relative paths are relative to the config file. */
  root?: string;
  /** image-folder: a second folder of class sub-folders used as the test split. */
  testRoot?: string;
  /** Resize images to this size on load (image-folder, labelled-dir). */
  size?: number | [number, number];
  channels?: 1 | 3;
  /** labelled-dir: train on the noisy labels (tested on the clean subset) or on the clean subset only. */
  labels?: 'noisy' | 'clean';
  /** Class names (npy, labelled-dir). */
  classNames?: string[];
  /** Fetch Fashion-MNIST/MNIST/CIFAR when missing. */
  download?: boolean;
  /** Use at most this many training images (quick trials). */
  limit?: number;
}

export interface SplitConfig {
  /** Validation share of the training data: a fraction in [0, 1) or a count. 0 for none. */
  val: number;
  stratified: boolean;
  /** 'dataset': the dataset's own test split; a fraction or count: carved off the training data. */
  test: number | 'dataset';
}

export interface LabelNoiseConfig {
  kind: 'symmetric' | 'asymmetric';
  rate: number;
  /** asymmetric: old class -> noisy class. */
  mapping?: Record<string, number>;
}

export type RegroupConfig = 'fashion-mnist-3' | { mapping: number[]; classNames: string[] };

export interface TransformSpec { name: string; [option: string]: unknown }

export interface NormalizeStats { mean: number[]; std: number[] }

export interface TransformsConfig {
  train: TransformSpec[];
  test: TransformSpec[];
  /** 'auto': per-channel mean/std of the training split, applied to both chains. */
  normalize: 'auto' | 'none' | NormalizeStats;
}

export const MODEL_OPTION_KEYS = ['inputSize', 'hidden', 'dropout', 'penalty', 'widthMult', 'stem', 'widths', 'bins'] as const;

export interface ModelConfig {
  name: string;
  /** State-dict file (.safetensors, .pt/.pth) loaded around a new head. */
  pretrained?: string;
  freezeBackbone?: boolean;
  [option: string]: unknown;
}

export interface OptimizerConfig {
  name: OptimizerName;
  lr: number;
  weightDecay?: number;
  momentum?: number;
  nesterov?: boolean;
  betas?: [number, number];
  eps?: number;
}

export interface ScheduleConfig {
  name: ScheduleName;
  /** one-cycle: peak learning rate (default optimizer.lr). */
  maxLr?: number;
  pctStart?: number;
  /** cosine: epochs of the half cosine (default: all epochs). */
  tMax?: number;
  etaMin?: number;
  /** step: decay every stepSize epochs by gamma. */
  stepSize?: number;
  gamma?: number;
  /** plateau: cut by factor after patience epochs without improvement of val_loss. */
  factor?: number;
  patience?: number;
  /** warmup-cosine: linear warm-up epochs before the cosine. */
  warmupEpochs?: number;
}

export interface EarlyStoppingConfig {
  monitor: 'val_loss' | 'val_accuracy' | 'loss' | 'accuracy';
  patience: number;
  minDelta: number;
  restoreBestWeights: boolean;
}

export interface ExperimentConfig {
  name: string;
  seed: number;
  dataset: DatasetConfig;
  split: SplitConfig;
  labelNoise?: LabelNoiseConfig;
  regroup?: RegroupConfig;
  transforms: TransformsConfig;
  model: ModelConfig;
  optimizer: OptimizerConfig;
  schedule?: ScheduleConfig;
  epochs: number;
  batchSize: number;
  classWeights?: 'balanced';
  earlyStopping?: EarlyStoppingConfig;
  gradClipNorm?: number;
  /** Also write a checkpoint every N training steps (one is always written every epoch). */
  checkpointEvery?: number;
  /** Select libtorch's deterministic algorithms. */
  deterministic?: boolean;
  task?: 'classification';
  device: string;
}

const TOP_KEYS = ['name', 'seed', 'dataset', 'split', 'labelNoise', 'regroup', 'transforms', 'model', 'optimizer',
  'schedule', 'epochs', 'batchSize', 'classWeights', 'earlyStopping', 'gradClipNorm', 'checkpointEvery', 'device', 'description'] as const;

const HAS_TEST_SPLIT: readonly DatasetKind[] = ['fashion-mnist', 'mnist', 'cifar10', 'cifar100'];
const NEEDS_ROOT: readonly DatasetKind[] = ['cifar10', 'cifar100', 'image-folder', 'labelled-dir', 'npy'];

function sizeValue(v: unknown, path: Path): number | [number, number] {
  return numberOrTuple(v, path, [2], { integer: true, min: 1 }) as number | [number, number];
}

function stringList(v: unknown, path: Path): string[] {
  return list(v, path).map((s, i) => string(s, `${path}[${i}]`));
}

function checkDataset(v: unknown, path: Path): DatasetConfig {
  const o = object(v, path, ['kind', 'root', 'testRoot', 'size', 'channels', 'labels', 'classNames', 'download', 'limit']);
  const kind = oneOf(o.kind, `${path}.kind`, DATASET_KINDS);
  const d: DatasetConfig = { kind };
  const root = optional(o.root, (x) => string(x, `${path}.root`));
  if (root !== undefined) d.root = root;
  else if (NEEDS_ROOT.includes(kind)) fail(`${path}.root`, `required for dataset kind '${kind}' (the folder holding the data)`);
  const testRoot = optional(o.testRoot, (x) => string(x, `${path}.testRoot`));
  if (testRoot !== undefined) {
    if (kind !== 'image-folder') fail(`${path}.testRoot`, `only image-folder datasets take a testRoot, not '${kind}'`);
    d.testRoot = testRoot;
  }
  const size = optional(o.size, (x) => sizeValue(x, `${path}.size`));
  if (size !== undefined) d.size = size;
  else if (kind === 'image-folder') fail(`${path}.size`, 'required for image-folder datasets (every image is resized to it on load), e.g. 64 or [64, 64]');
  const channels = optional(o.channels, (x) => number(x, `${path}.channels`, { integer: true }));
  if (channels !== undefined) {
    if (channels !== 1 && channels !== 3) fail(`${path}.channels`, `${channels} is not one of 1, 3`);
    d.channels = channels;
  }
  const labels = optional(o.labels, (x) => oneOf(x, `${path}.labels`, ['noisy', 'clean'] as const));
  if (labels !== undefined) {
    if (kind !== 'labelled-dir') fail(`${path}.labels`, `only labelled-dir datasets have noisy and clean labels, not '${kind}'`);
    d.labels = labels;
  }
  const names = optional(o.classNames, (x) => stringList(x, `${path}.classNames`));
  if (names !== undefined) d.classNames = names;
  const download = optional(o.download, (x) => boolean(x, `${path}.download`));
  if (download !== undefined) d.download = download;
  const limit = optional(o.limit, (x) => number(x, `${path}.limit`, { integer: true, min: 1 }));
  if (limit !== undefined) d.limit = limit;
  return d;
}

function splitSize(v: unknown, path: Path): number {
  const n = number(v, path, { min: 0 });
  if (!Number.isInteger(n) && n >= 1) fail(path, `expected a fraction in [0, 1) or a whole count, got ${n}`);
  return n;
}

function checkSplit(v: unknown, path: Path, d: DatasetConfig): SplitConfig {
  const kind = d.kind;
  const o = v === undefined ? {} : object(v, path, ['val', 'stratified', 'test']);
  const val = optional(o.val, (x) => splitSize(x, `${path}.val`)) ?? 0;
  const stratified = optional(o.stratified, (x) => boolean(x, `${path}.stratified`)) ?? true;
  // labelled-dir with noisy labels is tested on its clean subset, which is its own test split.
  // npy folders may hold test_images.npy: the loader says so when they are missing.
  const ownTest = HAS_TEST_SPLIT.includes(kind) || kind === 'npy' || (kind === 'image-folder' && d.testRoot !== undefined) ||
    (kind === 'labelled-dir' && d.labels !== 'clean');
  let test: number | 'dataset';
  if (o.test === undefined || o.test === 'dataset') {
    if (!ownTest) fail(`${path}.test`, `dataset kind '${kind}' has no test split of its own: give a fraction or count to hold out` +
      (kind === 'image-folder' ? ', or dataset.testRoot' : ''));
    test = 'dataset';
  } else {
    test = splitSize(o.test, `${path}.test`);
  }
  return { val, stratified, test };
}

function checkLabelNoise(v: unknown, path: Path): LabelNoiseConfig {
  const o = object(v, path, ['kind', 'rate', 'mapping']);
  const kind = oneOf(o.kind, `${path}.kind`, ['symmetric', 'asymmetric'] as const);
  const rate = number(o.rate, `${path}.rate`, { min: 0, max: 1 });
  const out: LabelNoiseConfig = { kind, rate };
  if (o.mapping !== undefined) {
    if (kind !== 'asymmetric') fail(`${path}.mapping`, 'only asymmetric noise takes a mapping');
    if (!isObject(o.mapping)) fail(`${path}.mapping`, 'expected an object of class -> noisy class, e.g. {9: 1, 3: 5}');
    const mapping: Record<string, number> = {};
    for (const [from, to] of Object.entries(o.mapping)) {
      if (!/^\d+$/.test(from)) fail(`${path}.mapping.${from}`, 'keys must be class indices');
      mapping[from] = number(to, `${path}.mapping.${from}`, { integer: true, min: 0 });
    }
    out.mapping = mapping;
  } else if (kind === 'asymmetric') {
    fail(`${path}.mapping`, 'required for asymmetric noise (class -> noisy class, e.g. {9: 1, 3: 5})');
  }
  return out;
}

function checkRegroup(v: unknown, path: Path): RegroupConfig {
  if (typeof v === 'string') return oneOf(v, path, REGROUPINGS);
  const o = object(v, path, ['mapping', 'classNames']);
  const mapping = list(o.mapping, `${path}.mapping`).map((m, i) => number(m, `${path}.mapping[${i}]`, { integer: true, min: 0 }));
  const classNames = stringList(o.classNames, `${path}.classNames`);
  mapping.forEach((m, i) => {
    if (m >= classNames.length) fail(`${path}.mapping[${i}]`, `${m} is not a new class index (there are ${classNames.length} classNames)`);
  });
  return { mapping, classNames };
}

function checkTransform(v: unknown, path: Path): TransformSpec {
  if (!isObject(v)) fail(path, `expected {name: ..., options}, got ${Array.isArray(v) ? 'a list' : String(v)}`);
  const name = oneOf(v.name, `${path}.name`, Object.keys(TRANSFORM_OPTIONS));
  object(v, path, ['name', ...TRANSFORM_OPTIONS[name]!]);
  return { ...v, name };
}

function checkTransforms(v: unknown, path: Path): TransformsConfig {
  const o = v === undefined ? {} : object(v, path, ['train', 'test', 'normalize']);
  const chain = (key: 'train' | 'test') =>
    o[key] === undefined ? [] : list(o[key], `${path}.${key}`).map((t, i) => checkTransform(t, `${path}.${key}[${i}]`));
  let normalize: TransformsConfig['normalize'] = 'none';
  if (o.normalize === 'auto' || o.normalize === 'none') normalize = o.normalize;
  else if (isObject(o.normalize)) {
    const n = object(o.normalize, `${path}.normalize`, ['mean', 'std']);
    const mean = list(n.mean, `${path}.normalize.mean`).map((x, i) => number(x, `${path}.normalize.mean[${i}]`));
    const std = list(n.std, `${path}.normalize.std`).map((x, i) => number(x, `${path}.normalize.std[${i}]`, { above: 0 }));
    if (mean.length !== std.length) fail(`${path}.normalize`, `mean has ${mean.length} values but std has ${std.length}`);
    normalize = { mean, std };
  } else if (o.normalize !== undefined) {
    fail(`${path}.normalize`, `expected 'auto', 'none' or {mean: [...], std: [...]}, got ${JSON.stringify(o.normalize)}`);
  }
  return { train: chain('train'), test: chain('test'), normalize };
}

function checkModel(v: unknown, path: Path): ModelConfig {
  const o = object(v, path, ['name', 'pretrained', 'freezeBackbone', ...MODEL_OPTION_KEYS]);
  const known = listModels();
  const name = string(o.name, `${path}.name`);
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  if (!known.some((k) => norm(k) === norm(name))) fail(`${path}.name`, `'${name}' is not one of ${known.join(', ')}`);
  const out: ModelConfig = { ...o, name };
  if (o.pretrained !== undefined) out.pretrained = string(o.pretrained, `${path}.pretrained`);
  if (o.freezeBackbone !== undefined) out.freezeBackbone = boolean(o.freezeBackbone, `${path}.freezeBackbone`);
  if (o.dropout !== undefined) number(o.dropout, `${path}.dropout`, { min: 0, below: 1 });
  if (o.penalty !== undefined) number(o.penalty, `${path}.penalty`, { min: 0 });
  if (o.widthMult !== undefined) number(o.widthMult, `${path}.widthMult`, { above: 0 });
  if (o.inputSize !== undefined) sizeValue(o.inputSize, `${path}.inputSize`);
  if (o.bins !== undefined) number(o.bins, `${path}.bins`, { integer: true, min: 2, max: 256 });
  if (o.stem !== undefined) oneOf(o.stem, `${path}.stem`, ['imagenet', 'cifar'] as const);
  return out;
}

function checkOptimizer(v: unknown, path: Path): OptimizerConfig {
  const o = object(v, path, ['name', 'lr', 'weightDecay', 'momentum', 'nesterov', 'betas', 'eps']);
  const out: OptimizerConfig = {
    name: oneOf(o.name, `${path}.name`, OPTIMIZERS),
    lr: number(o.lr, `${path}.lr`, { above: 0, max: 10 }),
  };
  const wd = optional(o.weightDecay, (x) => number(x, `${path}.weightDecay`, { min: 0, below: 1 }));
  if (wd !== undefined) out.weightDecay = wd;
  const momentum = optional(o.momentum, (x) => number(x, `${path}.momentum`, { min: 0, below: 1 }));
  if (momentum !== undefined) {
    if (!['sgd', 'rmsprop'].includes(out.name)) fail(`${path}.momentum`, `only sgd and rmsprop take momentum (adam-style optimizers use betas)`);
    out.momentum = momentum;
  }
  const nesterov = optional(o.nesterov, (x) => boolean(x, `${path}.nesterov`));
  if (nesterov !== undefined) {
    if (out.name !== 'sgd') fail(`${path}.nesterov`, 'only sgd takes nesterov');
    out.nesterov = nesterov;
  }
  if (o.betas !== undefined) {
    if (!['adam', 'adamw'].includes(out.name)) fail(`${path}.betas`, 'only adam and adamw take betas');
    const b = numberOrTuple(o.betas, `${path}.betas`, [2], { min: 0, below: 1 });
    if (!Array.isArray(b)) fail(`${path}.betas`, 'expected a list of 2 numbers');
    out.betas = b as [number, number];
  }
  const eps = optional(o.eps, (x) => number(x, `${path}.eps`, { above: 0, below: 1 }));
  if (eps !== undefined) out.eps = eps;
  return out;
}

const SCHEDULE_KEYS: Record<ScheduleName, readonly string[]> = {
  'one-cycle': ['maxLr', 'pctStart'],
  cosine: ['tMax', 'etaMin'],
  step: ['stepSize', 'gamma'],
  plateau: ['factor', 'patience'],
  'warmup-cosine': ['warmupEpochs', 'etaMin'],
};

function checkSchedule(v: unknown, path: Path, epochs: number): ScheduleConfig {
  if (!isObject(v)) fail(path, `expected {name: ${SCHEDULES.join(' | ')}, ...}, got ${JSON.stringify(v)}`);
  const name = oneOf(v.name, `${path}.name`, SCHEDULES);
  const o = object(v, path, ['name', ...SCHEDULE_KEYS[name]]);
  const out: ScheduleConfig = { name };
  const put = <K extends keyof ScheduleConfig>(key: K, check: (x: unknown) => ScheduleConfig[K]) => {
    const val = optional(o[key], check);
    if (val !== undefined) out[key] = val;
  };
  put('maxLr', (x) => number(x, `${path}.maxLr`, { above: 0, max: 10 }));
  put('pctStart', (x) => number(x, `${path}.pctStart`, { above: 0, below: 1 }));
  put('tMax', (x) => number(x, `${path}.tMax`, { integer: true, min: 1 }));
  put('etaMin', (x) => number(x, `${path}.etaMin`, { min: 0 }));
  put('stepSize', (x) => number(x, `${path}.stepSize`, { integer: true, min: 1 }));
  put('gamma', (x) => number(x, `${path}.gamma`, { above: 0, max: 1 }));
  put('factor', (x) => number(x, `${path}.factor`, { above: 0, below: 1 }));
  put('patience', (x) => number(x, `${path}.patience`, { integer: true, min: 0 }));
  put('warmupEpochs', (x) => number(x, `${path}.warmupEpochs`, { integer: true, min: 1, below: epochs }));
  if (name === 'step' && out.stepSize === undefined) fail(`${path}.stepSize`, 'required for the step schedule (decay every stepSize epochs)');
  if (name === 'warmup-cosine' && out.warmupEpochs === undefined) fail(`${path}.warmupEpochs`, `required for warmup-cosine (an integer in [1, ${epochs}))`);
  return out;
}

function checkEarlyStopping(v: unknown, path: Path): EarlyStoppingConfig {
  const o = object(v, path, ['monitor', 'patience', 'minDelta', 'restoreBestWeights']);
  return {
    monitor: optional(o.monitor, (x) => oneOf(x, `${path}.monitor`, ['val_loss', 'val_accuracy', 'loss', 'accuracy'] as const)) ?? 'val_loss',
    patience: optional(o.patience, (x) => number(x, `${path}.patience`, { integer: true, min: 0 })) ?? 3,
    minDelta: optional(o.minDelta, (x) => number(x, `${path}.minDelta`, { min: 0 })) ?? 0,
    restoreBestWeights: optional(o.restoreBestWeights, (x) => boolean(x, `${path}.restoreBestWeights`)) ?? true,
  };
}

/** Checks a parsed config file and fills in defaults; throws ConfigError naming the bad field. */
export function validateConfig(raw: unknown, path: Path = 'config'): ExperimentConfig {
  const o = object(raw, path, TOP_KEYS);
  const name = string(o.name, `${path}.name`);
  if (!/^[\w.-]+$/.test(name)) fail(`${path}.name`, `'${name}' must use only letters, digits, '.', '_' and '-' (it names the run directory)`);
  const dataset = checkDataset(o.dataset, `${path}.dataset`);
  const epochs = number(o.epochs, `${path}.epochs`, { integer: true, min: 1, max: 10000 });
  const cfg: ExperimentConfig = {
    name,
    seed: optional(o.seed, (x) => number(x, `${path}.seed`, { integer: true, min: 0 })) ?? 0,
    dataset,
    split: checkSplit(o.split, `${path}.split`, dataset),
    transforms: checkTransforms(o.transforms, `${path}.transforms`),
    model: checkModel(o.model, `${path}.model`),
    optimizer: checkOptimizer(o.optimizer, `${path}.optimizer`),
    epochs,
    batchSize: number(o.batchSize, `${path}.batchSize`, { integer: true, min: 1, max: 65536 }),
    device: optional(o.device, (x) => string(x, `${path}.device`)) ?? 'cpu',
  };
  if (!/^(cpu|cuda(:\d+)?|mps)$/.test(cfg.device)) fail(`${path}.device`, `'${cfg.device}' is not one of cpu, cuda, cuda:N, mps`);
  const labelNoise = optional(o.labelNoise, (x) => checkLabelNoise(x, `${path}.labelNoise`));
  if (labelNoise) cfg.labelNoise = labelNoise;
  const regroup = optional(o.regroup, (x) => checkRegroup(x, `${path}.regroup`));
  if (regroup) cfg.regroup = regroup;
  const schedule = optional(o.schedule, (x) => checkSchedule(x, `${path}.schedule`, epochs));
  if (schedule) cfg.schedule = schedule;
  const cw = optional(o.classWeights, (x) => oneOf(x, `${path}.classWeights`, ['balanced'] as const));
  if (cw) cfg.classWeights = cw;
  const es = optional(o.earlyStopping, (x) => checkEarlyStopping(x, `${path}.earlyStopping`));
  if (es) cfg.earlyStopping = es;
  if ((es?.monitor === 'val_loss' || es?.monitor === 'val_accuracy' || schedule?.name === 'plateau') && cfg.split.val === 0) {
    fail(`${path}.split.val`, `must be above 0: ${es ? `earlyStopping monitors ${es.monitor}` : 'the plateau schedule watches val_loss'}`);
  }
  const clip = optional(o.gradClipNorm, (x) => number(x, `${path}.gradClipNorm`, { above: 0 }));
  if (clip !== undefined) cfg.gradClipNorm = clip;
  const every = optional(o.checkpointEvery, (x) => number(x, `${path}.checkpointEvery`, { integer: true, min: 1 }));
  if (every !== undefined) cfg.checkpointEvery = every;
  return cfg;
}

export { ConfigError };
