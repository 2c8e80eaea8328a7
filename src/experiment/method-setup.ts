// What a method builder gets besides the config and the data (MethodSetup): the configured
// model, more models of its architecture, and training a fresh model of the config on some
// training samples to predict others, which is what cross-validated methods (confident
// learning) are made of. runExperiment builds one for config.method; createMethodSetup
// builds one outside a run, for commands that cross-validate a config (visionlab label-issues).
import { Subset, DataLoader } from '../data/index.js';
import { fit, predict, type Callback, type RunDir, type Task, type History, type ExtraFigure } from '../train/index.js';
import type { Module } from '../nn/index.js';
import type { ExperimentConfig, NormalizeStats } from './config.js';
import type { ExperimentData } from './experiment-data.js';
import { buildModel } from './build-model.js';
import { buildOptimizer, buildSchedule } from './build-optimizer.js';
import { buildTransform, resolveNormalize, transformedShape } from './build-transforms.js';
import { experimentLoaders } from './experiment-loaders.js';

/** What a training method changes in a run: the task, and callbacks that see every step. */
export interface MethodParts {
  task?: Task;
  callbacks?: Callback[];
  /**
   * The module to train in place of the configured model, which it contains and trains too
   * (co-teaching's pair of networks, a classifier with a label cleaner). The configured
   * model is what is tested, saved and reported.
   */
  trainModel?: Module;
  /** One weight per training sample (0 leaves a sample out, as pruning does). */
  sampleWeights?: Float32Array;
  /** Figures of what the method did (estimated matrices, per-epoch records), for the run report. */
  figures?: (history: History) => Promise<ExtraFigure[]>;
}

/** What a method builder may use besides the config and the data. */
export interface MethodSetup {
  /** The configured model, as built (fresh weights, or pretrained ones). */
  model: Module;
  /** Another model of the config's architecture, with weights of its own. */
  buildModel(): Promise<Module>;
  /**
   * Trains a fresh model of the config (its transforms, optimizer and schedule, `epochs`
   * or the config's) on the training samples `trainIndices` and returns its class
   * probabilities [predictIndices.length × classes] for `predictIndices` (test transforms).
   * Out-of-fold predictions for cross-validation are made of these.
   */
  trainAndPredict(trainIndices: Int32Array, predictIndices: Int32Array, opts?: { epochs?: number }): Promise<Float32Array>;
  /** The run directory (absent on ranks that do not write). */
  runDir?: RunDir;
  log(line: string): void;
}

/** What runExperiment has built by the time it asks for the method. */
export interface MethodSetupInputs {
  cfg: ExperimentConfig;
  /** The config with its normalisation measured (what the loaders are built from). */
  resolved: ExperimentConfig;
  data: ExperimentData;
  normalize: NormalizeStats | null;
  baseDir: string;
  inputShape: [number, number, number];
  model: Module;
  runDir?: RunDir;
  log(line: string): void;
}

export function methodSetup(s: MethodSetupInputs): MethodSetup {
  const { cfg, data } = s;
  const numClasses = data.classNames.length;
  const another = async () => {
    const m = (await buildModel(cfg.model, { numClasses, inputShape: s.inputShape }, s.baseDir)).model;
    if (cfg.device !== 'cpu') m.to(cfg.device);
    return m;
  };
  return {
    model: s.model, buildModel: another, log: s.log, ...(s.runDir ? { runDir: s.runDir } : {}),
    async trainAndPredict(trainIndices, predictIndices, o = {}) {
      const epochs = o.epochs ?? cfg.epochs;
      const { val: _unused, ...rest } = data;
      const fold: ExperimentData = { ...rest, train: new Subset(data.train, trainIndices) };
      const dl = experimentLoaders(s.resolved, fold, s.normalize);
      const model = await another();
      const optimizer = buildOptimizer(cfg.optimizer, model.trainableParameters());
      const schedule = buildSchedule(cfg.schedule, optimizer, { epochs, stepsPerEpoch: dl.train.length, lr: cfg.optimizer.lr });
      await fit(model, dl.train, {
        epochs, optimizer, seed: cfg.seed, device: cfg.device, verbose: false, precision: cfg.precision,
        ...(schedule ? { schedule } : {}), ...(cfg.gradClipNorm ? { gradClipNorm: cfg.gradClipNorm } : {}),
      });
      const held = new DataLoader(new Subset(data.train, predictIndices), { batchSize: Math.max(cfg.batchSize, 256), transform: dl.testT, device: cfg.device });
      const { probs } = await predict(model, held, { precision: cfg.precision });
      try {
        return probs.to('float32').toTypedArray() as Float32Array;
      } finally {
        probs.dispose();
        for (const p of model.parameters()) p.dispose();
      }
    },
  };
}

export interface StandaloneSetupOptions {
  /** Folder that relative paths in the config (pretrained weights) are relative to. Default: the working directory. */
  baseDir?: string;
  log?: (line: string) => void;
  runDir?: RunDir;
}

/**
 * A MethodSetup for a config outside runExperiment, built as runExperiment builds its own:
 * the normalisation measured on data.train when the config says 'auto', the input shape
 * from the test transforms, and a configured model. Seed the generator (manualSeed) first,
 * as runExperiment does, for repeatable folds.
 */
export async function createMethodSetup(cfg: ExperimentConfig, data: ExperimentData, opts: StandaloneSetupOptions = {}): Promise<MethodSetup> {
  const baseDir = opts.baseDir ?? process.cwd();
  const normalize = resolveNormalize(cfg.transforms, data.train);
  const resolved: ExperimentConfig = { ...cfg, transforms: { ...cfg.transforms, normalize: normalize ?? 'none' } };
  const inputShape = transformedShape(buildTransform(cfg.transforms.test, normalize, cfg.seed, 'config.transforms.test'), data.imageShape);
  const { model } = await buildModel(cfg.model, { numClasses: data.classNames.length, inputShape }, baseDir);
  if (cfg.device !== 'cpu') model.to(cfg.device);
  return methodSetup({
    cfg, resolved, data, normalize, baseDir, inputShape, model, log: opts.log ?? (() => undefined), ...(opts.runDir ? { runDir: opts.runDir } : {}),
  });
}
