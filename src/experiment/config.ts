// The experiment config: what a YAML/JSON file may say, its defaults and its validation,
// stated once as a zod schema from which the TypeScript types are inferred.
// validateConfig returns a fully typed config with defaults filled in, or throws a
// ConfigError naming each bad field (config.optimizer.name) and the values it accepts.
import { z } from 'zod';
import { listModels, modelInfo } from '../models/index.js';
import { PRECISIONS } from '../train/precision.js';
import { SEGMENTATION_LOSSES } from '../train/tasks/segmentation-loss.js';
import { TTA_VIEWS } from '../train/tasks/test-time-augmentation.js';
import {
  ConfigError, boolean, describeRange, list, number, object, pair, parseWith, show, string, union, expecting, unknownKeyMessage,
} from './config-check.js';

export const DATASET_KINDS = ['fashion-mnist', 'mnist', 'cifar10', 'cifar100', 'image-folder', 'labelled-dir', 'npy', 'voc'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];
export const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'rmsprop', 'adadelta', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const REGROUPINGS = ['fashion-mnist-3'] as const;
/** Standard asymmetric label-noise maps (data/label-noise.ts). */
export const ASYMMETRIC_MAPPING_NAMES = ['cifar10', 'fashion-mnist'] as const;
/** What the model learns to predict; the trainer takes its loss, metrics and predictions from it. */
export const TASKS = ['classification', 'denoise', 'segmentation', 'multilabel'] as const;
export type TaskName = (typeof TASKS)[number];

/** Transforms a config may name, with the option keys each accepts (the constructors check the values). */
export const TRANSFORM_OPTIONS = {
  RandomCrop: ['size', 'padding', 'paddingMode', 'maskFill'],
  RandomHorizontalFlip: ['p'],
  RandomVerticalFlip: ['p'],
  RandomRotation: ['degrees', 'fill', 'maskFill'],
  RandomAffine: ['degrees', 'translate', 'scale', 'shear', 'fill', 'maskFill'],
  RandomErasing: ['p', 'scale', 'ratio', 'value'],
  Cutout: ['size', 'p', 'value'],
  GaussianNoise: ['std', 'mean', 'clip'],
  ColorJitter: ['brightness', 'contrast', 'saturation'],
  RandomResizedCrop: ['size', 'scale', 'ratio'],
  Resize: ['size'],
  CenterCrop: ['size'],
} as const satisfies Readonly<Record<string, readonly string[]>>;
type TransformName = keyof typeof TRANSFORM_OPTIONS;
const TRANSFORM_NAMES = Object.keys(TRANSFORM_OPTIONS) as [TransformName, ...TransformName[]];

const HAS_TEST_SPLIT: readonly DatasetKind[] = ['fashion-mnist', 'mnist', 'cifar10', 'cifar100'];
const NEEDS_ROOT: readonly DatasetKind[] = ['cifar10', 'cifar100', 'image-folder', 'labelled-dir', 'npy', 'voc'];

type Ctx = z.RefinementCtx;
function problem(ctx: Ctx, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

/** An image size: one side for square images, or [height, width]. */
const imageSize = union(
  [number({ integer: true, min: 1 }), pair({ integer: true, min: 1 }, 'a list of 2 integers >= 1')],
  (v) => `expected an integer >= 1 or a list of 2 of them, got ${show(v)}`,
);

const datasetSchema = object({
  kind: z.enum(DATASET_KINDS),
  /** Folder of the data (required for cifar, image-folder, labelled-dir, npy). Relative paths are relative to the config file. */
  root: string().optional(),
  /** image-folder: a second folder of class sub-folders used as the test split. */
  testRoot: string().optional(),
  /** Resize images to this size on load (image-folder, labelled-dir). */
  size: imageSize.optional(),
  channels: z.literal([1, 3]).optional(),
  /**
   * labelled-dir: train on the noisy labels (tested on the clean subset), on the clean subset
   * only, or 'trusted': on every image, with the trusted label where there is one (the
   * label-cleaning and clean-subset methods learn from those), tested on trustedTest of the
   * trusted images held out.
   */
  labels: z.enum(['noisy', 'clean', 'trusted']).optional(),
  /** labels 'trusted': share (below 1) or count of the trusted images held out as the test split (default 0.5). */
  trustedTest: number({ above: 0 }).optional(),
  /** Class names (npy, labelled-dir). */
  classNames: list(string()).optional(),
  /** Fetch Fashion-MNIST/MNIST/CIFAR when missing. */
  download: boolean().optional(),
  /** Use at most this many training images (quick trials). */
  limit: number({ integer: true, min: 1 }).optional(),
}).superRefine((d, ctx) => {
  if (d.root === undefined && NEEDS_ROOT.includes(d.kind)) problem(ctx, ['root'], `required for dataset kind '${d.kind}' (the folder holding the data)`);
  if (d.testRoot !== undefined && d.kind !== 'image-folder') problem(ctx, ['testRoot'], `only image-folder datasets take a testRoot, not '${d.kind}'`);
  if (d.size === undefined && d.kind === 'image-folder') {
    problem(ctx, ['size'], 'required for image-folder datasets (every image is resized to it on load), e.g. 64 or [64, 64]');
  }
  if (d.labels !== undefined && d.kind !== 'labelled-dir') problem(ctx, ['labels'], `only labelled-dir datasets have noisy and clean labels, not '${d.kind}'`);
  if (d.trustedTest !== undefined && d.labels !== 'trusted') problem(ctx, ['trustedTest'], "only with labels 'trusted' (the share of trusted images held out for testing)");
});

/** The corruption of a denoising run, per kind; clip keeps noisy images in [0, 1] (default true). */
const noiseVariants = [
  object({
    kind: z.literal('gaussian'),
    /** One std, or a range [low, high] drawn per image (blind denoising). */
    std: union([number({ min: 0 }), pair({ min: 0 }, 'a list of 2 numbers >= 0')], (v) => `expected a number >= 0 or a range [low, high], got ${show(v)}`),
    clip: boolean().default(true),
  }),
  object({ kind: z.literal('salt-and-pepper'), amount: number({ min: 0, max: 1 }), saltVsPepper: number({ min: 0, max: 1 }).optional(), clip: boolean().default(true) }),
  object({ kind: z.literal('poisson'), peak: number({ above: 0 }), clip: boolean().default(true) }),
  object({ kind: z.literal('masking'), p: number({ min: 0, max: 1 }), value: number().optional(), clip: boolean().default(true) }),
] as const;
export const NOISE_KINDS = Object.freeze(noiseVariants.map((v) => v.shape.kind.value));
const noiseSchema = z.discriminatedUnion('kind', noiseVariants, {
  error: (iss) => (iss.code === 'invalid_union'
    ? `${show((iss.input as { kind?: unknown }).kind)} is not one of ${NOISE_KINDS.join(', ')}`
    : `expected {kind: ${NOISE_KINDS.join(' | ')}, ...}, got ${show(iss.input)}`),
});

/** A reconstruction loss, or weights of a mixture ({ssim: 0.84, l1: 0.16}). */
const RECONSTRUCTION_LOSS_NAMES = ['mse', 'l1', 'ssim', 'psnr'] as const;
const reconstructionLossSchema = union([
  z.enum(RECONSTRUCTION_LOSS_NAMES),
  object({ mse: number({ min: 0 }).optional(), l1: number({ min: 0 }).optional(), ssim: number({ min: 0 }).optional(), psnr: number({ min: 0 }).optional() }),
], (v) => `expected one of ${RECONSTRUCTION_LOSS_NAMES.join(', ')} or weights such as {ssim: 0.84, l1: 0.16}, got ${show(v)}`);

/** A fraction of the training data in [0, 1), or a count of samples. */
const splitSize = number({ min: 0 }).refine((n) => n < 1 || Number.isInteger(n), {
  error: (iss) => `expected a fraction in [0, 1) or a whole count, got ${show(iss.input)}`,
});

const splitSchema = object({
  /** Validation share of the training data: a fraction in [0, 1) or a count. 0 for none. */
  val: splitSize.default(0),
  stratified: boolean().default(true),
  /** 'dataset': the dataset's own test split; a fraction or count: carved off the training data. */
  test: union([z.literal('dataset'), splitSize], (v) => `expected 'dataset', a fraction in [0, 1) or a whole count, got ${show(v)}`)
    .default('dataset'),
});

const labelNoiseSchema = object({
  kind: z.enum(['symmetric', 'asymmetric']),
  rate: number({ min: 0, max: 1 }),
  /** asymmetric: old class -> noisy class, or a standard map by name ('cifar10', 'fashion-mnist'). */
  mapping: union([
    z.enum(ASYMMETRIC_MAPPING_NAMES),
    z.record(z.string().regex(/^\d+$/, { error: 'keys must be class indices' }), number({ integer: true, min: 0 }), {
      error: expecting('an object of class -> noisy class, e.g. {9: 1, 3: 5}'),
    }),
  ], (v) => `expected ${ASYMMETRIC_MAPPING_NAMES.join(' or ')}, or an object of class -> noisy class (e.g. {9: 1, 3: 5}), got ${show(v)}`).optional(),
  /** Keep the true labels of this many training images (stratified, seeded); the noise applies to the others. */
  cleanSubset: number({ integer: true, min: 1 }).optional(),
}).superRefine((n, ctx) => {
  if (n.mapping !== undefined && n.kind !== 'asymmetric') problem(ctx, ['mapping'], 'only asymmetric noise takes a mapping');
  if (n.mapping === undefined && n.kind === 'asymmetric') problem(ctx, ['mapping'], 'required for asymmetric noise (class -> noisy class, e.g. {9: 1, 3: 5})');
});

const regroupSchema = union([
  z.enum(REGROUPINGS),
  object({ mapping: list(number({ integer: true, min: 0 })), classNames: list(string()) }).superRefine((r, ctx) => {
    r.mapping.forEach((m, i) => {
      if (m >= r.classNames.length) problem(ctx, ['mapping', i], `${m} is not a new class index (there are ${r.classNames.length} classNames)`);
    });
  }),
], (v) => (typeof v === 'string'
  ? `${show(v)} is not one of ${REGROUPINGS.join(', ')}`
  : `expected one of ${REGROUPINGS.join(', ')} or {mapping: [...], classNames: [...]}, got ${show(v)}`));

/** {name, ...options}: the options a transform accepts are in TRANSFORM_OPTIONS. */
const transformSpecSchema = z.looseObject({ name: z.enum(TRANSFORM_NAMES) }, { error: expecting('{name: ..., options}') }).superRefine((t, ctx) => {
  const allowed: readonly string[] = ['name', ...TRANSFORM_OPTIONS[t.name]];
  for (const key of Object.keys(t)) {
    if (!allowed.includes(key)) ctx.addIssue({ code: 'unrecognized_keys', keys: [key], path: [], message: unknownKeyMessage(allowed) });
  }
});

const normalizeStatsSchema = object({ mean: list(number()), std: list(number({ above: 0 })) }).superRefine((n, ctx) => {
  if (n.mean.length !== n.std.length) problem(ctx, [], `mean has ${n.mean.length} values but std has ${n.std.length}`);
});

const transformsSchema = object({
  train: list(transformSpecSchema).default(() => []),
  test: list(transformSpecSchema).default(() => []),
  /** 'auto': per-channel mean/std of the training split, applied to both chains. */
  normalize: union([z.enum(['auto', 'none']), normalizeStatsSchema], (v) => `expected 'auto', 'none' or {mean: [...], std: [...]}, got ${JSON.stringify(v)}`)
    .default('none'),
});

/** Model names compare ignoring case, '-' and '_', as the zoo looks them up. */
const modelKey = (s: string) => s.toLowerCase().replace(/[-_]/g, '');

const modelSchema = object({
  name: string().refine((name) => listModels().some((k) => modelKey(k) === modelKey(name)), {
    error: (iss) => `${show(iss.input)} is not one of ${listModels().join(', ')}`,
  }),
  /** State-dict file (.safetensors, .pt/.pth) loaded around a new head. */
  pretrained: string().optional(),
  freezeBackbone: boolean().optional(),
  // Options of the zoo's models; each model reads the ones it knows.
  inputSize: imageSize.optional(),
  hidden: number({ integer: true, min: 1 }).optional(),
  dropout: number({ min: 0, below: 1 }).optional(),
  penalty: number({ min: 0 }).optional(),
  widthMult: number({ above: 0 }).optional(),
  stem: z.enum(['imagenet', 'cifar']).optional(),
  widths: list(number({ integer: true, min: 1 })).optional(),
  bins: number({ integer: true, min: 2, max: 256 }).optional(),
  /** dncnn: convolution layers (at least 2, checked by the model); unet: downsamplings. */
  depth: number({ integer: true, min: 1 }).optional(),
  features: number({ integer: true, min: 1 }).optional(),
  /** unet: channels of the top level, and how the decoder upsamples. */
  baseChannels: number({ integer: true, min: 1 }).optional(),
  upsampling: z.enum(['transposed', 'bilinear']).optional(),
  outputStride: z.literal([8, 16]).optional(),
  asppRates: list(number({ integer: true, min: 1 })).optional(),
  asppChannels: number({ integer: true, min: 1 }).optional(),
  decoderChannels: number({ integer: true, min: 1 }).optional(),
});

const optimizerSchema = object({
  name: z.enum(OPTIMIZERS),
  lr: number({ above: 0, max: 10 }),
  weightDecay: number({ min: 0, below: 1 }).optional(),
  momentum: number({ min: 0, below: 1 }).optional(),
  nesterov: boolean().optional(),
  betas: pair({ min: 0, below: 1 }).optional(),
  eps: number({ above: 0, below: 1 }).optional(),
}).superRefine((o, ctx) => {
  if (o.momentum !== undefined && o.name !== 'sgd' && o.name !== 'rmsprop') {
    problem(ctx, ['momentum'], 'only sgd and rmsprop take momentum (adam-style optimizers use betas)');
  }
  if (o.nesterov !== undefined && o.name !== 'sgd') problem(ctx, ['nesterov'], 'only sgd takes nesterov');
  if (o.betas !== undefined && o.name !== 'adam' && o.name !== 'adamw') problem(ctx, ['betas'], 'only adam and adamw take betas');
});

/** One variant per schedule: the keys of each are the only ones it accepts. */
const scheduleVariants = [
  object({
    name: z.literal('one-cycle'),
    /** Peak learning rate (default optimizer.lr). */
    maxLr: number({ above: 0, max: 10 }).optional(),
    pctStart: number({ above: 0, below: 1 }).optional(),
  }),
  object({
    name: z.literal('cosine'),
    /** Epochs of the half cosine (default: all epochs). */
    tMax: number({ integer: true, min: 1 }).optional(),
    etaMin: number({ min: 0 }).optional(),
  }),
  object({
    name: z.literal('step'),
    /** Decay every stepSize epochs by gamma. */
    stepSize: number({ integer: true, min: 1 }, { missing: 'required for the step schedule (decay every stepSize epochs)' }),
    gamma: number({ above: 0, max: 1 }).optional(),
  }),
  object({
    name: z.literal('plateau'),
    /** Cut by factor after patience epochs without improvement of val_loss. */
    factor: number({ above: 0, below: 1 }).optional(),
    patience: number({ integer: true, min: 0 }).optional(),
  }),
  object({
    name: z.literal('warmup-cosine'),
    /** Linear warm-up epochs before the cosine (fewer than epochs). */
    warmupEpochs: number({ integer: true, min: 1 }, { missing: 'required for warmup-cosine (an integer >= 1 and < epochs)' }),
    etaMin: number({ min: 0 }).optional(),
  }),
] as const;

export const SCHEDULES = Object.freeze(scheduleVariants.map((v) => v.shape.name.value));

const scheduleSchema = z.discriminatedUnion('name', scheduleVariants, {
  error: (iss) => (iss.code === 'invalid_union'
    ? `${show((iss.input as { name?: unknown }).name)} is not one of ${SCHEDULES.join(', ')}`
    : `expected {name: ${SCHEDULES.join(' | ')}, ...}, got ${show(iss.input)}`),
});

const earlyStoppingSchema = object({
  monitor: z.enum(['val_loss', 'val_accuracy', 'loss', 'accuracy']).default('val_loss'),
  patience: number({ integer: true, min: 0 }).default(3),
  minDelta: number({ min: 0 }).default(0),
  restoreBestWeights: boolean().default(true),
});

/** Training methods for noisy labels and curricula (src/methods/), one variant each with its own options. */
const methodVariants = [
  object({
    name: z.literal('self-paced'),
    weighting: z.enum(['hard', 'linear', 'logarithmic', 'mixture']),
    /** 'fraction': admit a fraction growing from startFraction to endFraction; 'growth': multiply lambda by growth each epoch. */
    pace: z.enum(['fraction', 'growth']).default('fraction'),
    growth: number({ min: 1 }).optional(),
    lambda: number({ above: 0 }).optional(),
    startFraction: number({ above: 0, max: 1 }).optional(),
    endFraction: number({ above: 0, max: 1 }).optional(),
    warmupEpochs: number({ integer: true, min: 0 }).optional(),
    mixtureRatio: number({ above: 0, below: 1 }).optional(),
  }).superRefine((m, ctx) => {
    if (m.pace === 'growth' && m.growth === undefined) problem(ctx, ['growth'], 'required for the growth pace (lambda\'s factor per epoch, e.g. 1.3)');
    if (m.pace === 'fraction' && m.growth !== undefined) problem(ctx, ['growth'], 'only the growth pace takes a growth factor');
  }),
  object({ name: z.literal('gce'), q: number({ above: 0, max: 1 }).optional() }),
  object({ name: z.literal('sce'), alpha: number({ min: 0 }).optional(), beta: number({ min: 0 }).optional() }),
  object({ name: z.literal('bootstrap'), mode: z.enum(['soft', 'hard']).default('soft'), beta: number({ min: 0, max: 1 }).optional() }),
  object({
    name: z.literal('forward-correction'),
    /**
     * 'clean-subset': estimated where the true and the noisy label are both known (labelNoise.cleanSubset);
     * 'estimate': from the anchor points of a model first trained on the noisy labels (no clean data); or T itself.
     */
    transition: union([z.literal('clean-subset'), z.literal('estimate'), list(list(number({ min: 0, max: 1 })))],
      (v) => `expected 'clean-subset', 'estimate' or a square matrix of probabilities, got ${show(v)}`).default('clean-subset'),
    /** transition 'estimate': epochs of the model whose predictions give the anchor points (default: the config's epochs). */
    estimateEpochs: number({ integer: true, min: 1 }).optional(),
  }),
  object({
    name: z.literal('co-teaching'),
    /** Share of each batch left out once the schedule has ramped up (default: the label noise's rate where known). */
    forgetRate: number({ min: 0, below: 1 }).optional(),
    /** Epochs over which the forget rate grows to forgetRate (the paper's T_k; default 10). */
    rampEpochs: number({ above: 0 }).optional(),
  }),
  object({
    name: z.literal('label-cleaning'),
    /** Weight of the cleaner's L1 loss next to the classifier's (default 1). */
    cleanerWeight: number({ min: 0 }).optional(),
    /** Size of the cleaner's feature and label embeddings (default 128). */
    embedding: number({ integer: true, min: 1 }).optional(),
  }),
  object({
    /** Confident learning (Northcutt et al.): find wrong labels from out-of-fold predictions, leave them out, train on the rest. */
    name: z.literal('confident-learning'),
    /** Cross-validation folds for the out-of-fold probabilities. */
    folds: number({ integer: true, min: 2, max: 100 }).default(4),
    /** Epochs of each fold's model (default: the config's epochs). */
    foldEpochs: number({ integer: true, min: 1, max: 10000 }).optional(),
  }),
] as const;

export const METHODS = Object.freeze(methodVariants.map((v) => v.shape.name.value));

const methodSchema = z.discriminatedUnion('name', methodVariants, {
  error: (iss) => (iss.code === 'invalid_union'
    ? `${show((iss.input as { name?: unknown }).name)} is not one of ${METHODS.join(', ')}`
    : `expected {name: ${METHODS.join(' | ')}, ...}, got ${show(iss.input)}`),
});

/** Adversarial training methods (implemented in methods/adversarial-training). */
export const ADVERSARIAL_METHODS = ['fgsm-rs', 'pgd', 'trades'] as const;

const adversarialSchema = object({
  /** fgsm-rs: fast FGSM from a random start; pgd: PGD adversarial training; trades: TRADES. */
  method: z.enum(ADVERSARIAL_METHODS),
  /** L-infinity budget in [0, 1] pixel units (the normalisation is applied after the attack). */
  eps: number({ above: 0, max: 1 }),
  stepSize: number({ above: 0, max: 1 }).optional(),
  /** Attack steps of pgd and trades. */
  steps: number({ integer: true, min: 1, max: 1000 }).optional(),
  /** TRADES' weight of the divergence term. */
  beta: number({ min: 0 }).optional(),
  /** Stop when PGD accuracy of validation images collapses (catastrophic overfitting); needs split.val > 0. */
  guard: object({
    /** Validation images checked. */
    images: number({ integer: true, min: 1 }).default(256),
    /** Also check every this many steps (0: at epoch ends only). */
    checkEvery: number({ integer: true, min: 0 }).default(0),
    tolerance: number({ above: 0, max: 1 }).default(0.2),
    steps: number({ integer: true, min: 1 }).default(10),
  }).optional(),
});

export const experimentConfigSchema = object({
  name: string().regex(/^[\w.-]+$/, {
    error: (iss) => `${show(iss.input)} must use only letters, digits, '.', '_' and '-' (it names the run directory)`,
  }),
  seed: number({ integer: true, min: 0 }).default(0),
  dataset: datasetSchema,
  split: splitSchema.prefault({}),
  labelNoise: labelNoiseSchema.optional(),
  regroup: regroupSchema.optional(),
  transforms: transformsSchema.prefault({}),
  model: modelSchema,
  optimizer: optimizerSchema,
  schedule: scheduleSchema.optional(),
  epochs: number({ integer: true, min: 1, max: 10000 }),
  batchSize: number({ integer: true, min: 1, max: 65536 }),
  classWeights: z.enum(['balanced']).optional(),
  earlyStopping: earlyStoppingSchema.optional(),
  gradClipNorm: number({ above: 0 }).optional(),
  /** Also write a checkpoint every this many training steps (checkpoints are written each epoch regardless). */
  checkpointEvery: number({ integer: true, min: 1 }).optional(),
  /** Select libtorch's deterministic algorithms (slower; repeatable results). */
  deterministic: boolean().default(false),
  /** 'auto' picks bf16-mixed where the device has native bf16 units, else fp32. */
  precision: z.enum(PRECISIONS).default('auto'),
  device: string().regex(/^(cpu|cuda(:\d+)?|mps)$/, { error: (iss) => `${show(iss.input)} is not one of cpu, cuda, cuda:N, mps` }).default('cpu'),
  task: z.enum(TASKS).default('classification'),
  /** task denoise: how the clean images are corrupted. */
  noise: noiseSchema.optional(),
  /** task denoise: the reconstruction loss (default mse). */
  loss: reconstructionLossSchema.optional(),
  /** task segmentation: the loss over the per-pixel logits (default cross-entropy; boundary pixels, 255, ignored). */
  segmentationLoss: z.enum(SEGMENTATION_LOSSES).optional(),
  /**
   * Test-time augmentation of classification: the test set (and visionlab eval/predict)
   * averages the class probabilities of each image and of these views of it
   * (hflip, vflip, shift: one pixel up, down, left, right); [hflip, shift] is 10 views.
   */
  tta: list(z.enum(TTA_VIEWS)).optional(),
  /** A method for noisy labels or a curriculum, trained through the same loop. */
  method: methodSchema.optional(),
  adversarial: adversarialSchema.optional(),
  description: z.string().optional(),
}).superRefine((c, ctx) => {
  const hasTrusted = c.labelNoise?.cleanSubset !== undefined || c.dataset.labels === 'trusted';
  if (c.method?.name === 'label-cleaning' && !hasTrusted) {
    problem(ctx, ['method', 'name'], "'label-cleaning' trains its cleaner on trusted labels: set labelNoise.cleanSubset, or read a labelled-dir with labels 'trusted'");
  }
  if (c.labelNoise && c.dataset.labels === 'trusted') problem(ctx, ['labelNoise'], "a labelled-dir read with labels 'trusted' has its own noisy labels: no synthetic labelNoise on top");
  if (c.method?.name === 'forward-correction' && c.method.transition === 'clean-subset' && !hasTrusted) {
    problem(ctx, ['method', 'transition'], "'clean-subset' needs labelNoise.cleanSubset or a labelled-dir read with labels 'trusted' (images with both a trusted and a noisy label); or give the matrix");
  }
  if (c.method?.name === 'confident-learning' && c.task !== 'classification') {
    problem(ctx, ['method', 'name'], `'confident-learning' finds wrong class labels: it needs task 'classification', not '${c.task}'`);
  }
  const { kind } = c.dataset;
  // labelled-dir with noisy labels is tested on its clean subset, which is its own test split.
  // npy folders may hold test_images.npy: the loader says so when they are missing.
  // voc folders list their splits; the loader takes test.txt, or val.txt where test is absent (VOC2012).
  const ownTest = HAS_TEST_SPLIT.includes(kind) || kind === 'npy' || kind === 'voc' || (kind === 'image-folder' && c.dataset.testRoot !== undefined) ||
    (kind === 'labelled-dir' && c.dataset.labels !== 'clean');
  if (c.split.test === 'dataset' && !ownTest) {
    problem(ctx, ['split', 'test'], `dataset kind '${kind}' has no test split of its own: give a fraction or count to hold out` +
      (kind === 'image-folder' ? ', or dataset.testRoot' : ''));
  }
  if ((c.task === 'segmentation' || c.task === 'multilabel') !== (kind === 'voc')) {
    problem(ctx, ['task'], kind === 'voc' ? `dataset kind 'voc' is for task 'segmentation' or 'multilabel', got '${c.task}'`
      : `task '${c.task}' reads dataset kind 'voc' (VOC folder layout, e.g. from visionlab make-scenes), not '${kind}'`);
  }
  if (c.schedule?.name === 'warmup-cosine' && c.schedule.warmupEpochs >= c.epochs) {
    problem(ctx, ['schedule', 'warmupEpochs'], `expected ${describeRange({ integer: true, min: 1, below: c.epochs })}, got ${c.schedule.warmupEpochs}`);
  }
  const es = c.earlyStopping;
  const watcher = es && es.monitor.startsWith('val_') ? `earlyStopping monitors ${es.monitor}`
    : c.schedule?.name === 'plateau' ? 'the plateau schedule watches val_loss' : undefined;
  if (watcher && c.split.val === 0) problem(ctx, ['split', 'val'], `must be above 0: ${watcher}`);
  const outputsImages = listModels().some((k) => modelKey(k) === modelKey(c.model.name)) && modelInfo(c.model.name).output === 'image';
  if (c.task === 'denoise' && !outputsImages) problem(ctx, ['model', 'name'], `task 'denoise' needs a model that outputs images (e.g. unet-denoiser, dncnn, conv-autoencoder), not '${c.model.name}'`);
  if (c.task !== 'denoise' && outputsImages) problem(ctx, ['model', 'name'], `'${c.model.name}' outputs images: use it with task 'denoise', not '${c.task}'`);
  if (c.task === 'denoise') {
    if (!c.noise) problem(ctx, ['noise'], "required for task 'denoise', e.g. {kind: gaussian, std: 0.3}");
    if (c.transforms.normalize !== 'none') problem(ctx, ['transforms', 'normalize'], "must be 'none' for task 'denoise' (noise and metrics work on [0, 1] pixels)");
    if (c.classWeights) problem(ctx, ['classWeights'], "only classification takes classWeights, not task 'denoise'");
    if (c.earlyStopping && /accuracy/.test(c.earlyStopping.monitor)) problem(ctx, ['earlyStopping', 'monitor'], "task 'denoise' has no accuracy: monitor val_loss or loss");
  } else {
    if (c.noise) problem(ctx, ['noise'], `only task 'denoise' takes noise, not '${c.task}'`);
    if (c.loss) problem(ctx, ['loss'], `only task 'denoise' takes a loss here, not '${c.task}'`);
  }
  if (c.tta && c.task !== 'classification') problem(ctx, ['tta'], `test-time augmentation averages class probabilities: it needs task 'classification', not '${c.task}'`);
  if (c.segmentationLoss && c.task !== 'segmentation') problem(ctx, ['segmentationLoss'], `only task 'segmentation' takes a segmentationLoss, not '${c.task}'`);
  if (c.adversarial?.guard && c.split.val === 0) problem(ctx, ['split', 'val'], 'must be above 0: adversarial.guard checks validation images');
});

export type ExperimentConfig = z.output<typeof experimentConfigSchema>;
export type DatasetConfig = z.output<typeof datasetSchema>;
export type SplitConfig = z.output<typeof splitSchema>;
export type LabelNoiseConfig = z.output<typeof labelNoiseSchema>;
export type RegroupConfig = z.output<typeof regroupSchema>;
export type TransformSpec = z.output<typeof transformSpecSchema>;
export type TransformsConfig = z.output<typeof transformsSchema>;
export type NormalizeStats = z.output<typeof normalizeStatsSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type OptimizerConfig = z.output<typeof optimizerSchema>;
export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type ScheduleName = ScheduleConfig['name'];
export type EarlyStoppingConfig = z.output<typeof earlyStoppingSchema>;
export type NoiseConfig = z.output<typeof noiseSchema>;
export type ReconstructionLossConfig = z.output<typeof reconstructionLossSchema>;
export type MethodConfig = z.output<typeof methodSchema>;
export type AdversarialConfig = z.output<typeof adversarialSchema>;

/** Checks a parsed config file and fills in defaults; throws a ConfigError naming every bad field under `path`. */
export function validateConfig(raw: unknown, path = 'config'): ExperimentConfig {
  return parseWith(experimentConfigSchema, raw, path);
}

export { ConfigError };
