// runExperiment: config in, finished run directory out. Builds the data, transforms,
// model, optimizer and schedule a config describes, trains with checkpoints, metrics
// logs, a progress bar and early stopping, evaluates on the test split and writes the
// run report. The resolved config (defaults filled in, normalisation measured, data paths
// absolute) is what lands in config.json, so a run can be repeated from its own directory
// and a killed run resumed in it (`resume`) from its last checkpoint.
//
// Reproducibility: the config's seed is set before anything random happens (the model's
// initial weights, splits, subsets, label noise, shuffling, augmentation and dropout all
// follow from it), so two runs of one config give the same weights.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { saveSafetensors, manualSeed, useDeterministicAlgorithms, type ProfileResult, type Tensor } from '../torch/index.js';
import { DataLoader, Subset, computeClassWeights, type Transform } from '../data/index.js';
import {
  fit, evaluate, EarlyStopping, MetricsLogger, ConfusionLogger, createRunDir, openRunDir, writeRunReport, ClassificationTask, TestTimeAugmentation, withTestTimeAugmentation,
  resolvePrecision, chooseMemoryFormat, OperatorProfiler, ReconstructionTask, writeReconstructionReport,
  SegmentationTask, MultilabelTask, writeSceneReport,
  type History, type Callback, type RunDir, type Task, type ExtraFigure,
} from '../train/index.js';
import { validateConfig, type ExperimentConfig, type NormalizeStats } from './config.js';
import { ConfigError } from './config-check.js';
import { loadExperimentData, type ExperimentData } from './experiment-data.js';
import { resolveNormalize, transformedShape } from './build-transforms.js';
import { buildModel } from './build-model.js';
import { buildOptimizer, buildSchedule } from './build-optimizer.js';
import { writeRunInfo, WEIGHTS_FILE } from './run-files.js';
import type { ProcessGroup } from '../torch/distributed/index.js';
import type { Module } from '../nn/index.js';
import { DistributedDataParallel, ReduceEpochLogs } from '../train/distributed/index.js';
import { experimentLoaders } from './experiment-loaders.js';
import { methodSetup, type MethodParts, type MethodSetup } from './method-setup.js';

export type { MethodParts, MethodSetup } from './method-setup.js';

export interface RunExperimentOptions {
  /** Folder that receives the run directory. Default 'runs'. */
  runsRoot?: string;
  /** No progress bar or log lines. */
  quiet?: boolean;
  /** Folder that relative paths in the config are relative to (the config file's). Default: the working directory. */
  baseDir?: string;
  /** Replaces config.epochs (quick trials from the command line). */
  epochs?: number;
  /** Lines of progress (data sizes, run directory); default console.log unless quiet. */
  log?: (line: string) => void;
  /**
   * A run directory to continue: its config.json replaces `config`, and training resumes
   * from its checkpoints/last.ckpt in the same directory.
   */
  resume?: string;
  /**
   * Profile this many training steps (after 3 warm-up steps) with libtorch's profiler, print
   * the most expensive operators and stop: no test evaluation, no report.
   */
  profileSteps?: number;
  /**
   * Train data-parallel in this group (one call per rank): config.batchSize is the global
   * batch, split evenly over the ranks; each rank reads its shard of every epoch; only
   * rank 0 writes the run directory, logs and progress.
   */
  distributed?: ProcessGroup;
  /**
   * Builds what config.method asks for (a task and callbacks); the methods layer above
   * this one provides it (see buildMethod in src/methods/). Required when the config has a method.
   */
  buildMethod?: (cfg: ExperimentConfig, data: ExperimentData, setup: MethodSetup) => MethodParts | Promise<MethodParts>;
  /**
   * Builds the task and extra callbacks for config sections that methods above this
   * layer implement (`adversarial`). A config with such a section needs it.
   */
  trainingMethods?: TrainingMethods;
  /**
   * More figures for a classification run's report, made from the trained model and the
   * test data by layers above this one (visionlab train adds Grad-CAM from methods/explain).
   */
  reportFigures?: (inputs: ReportFigureInputs) => Promise<ExtraFigure[]>;
}

/** What reportFigures gets: the trained model, its test data and how the inputs were standardised. */
export interface ReportFigureInputs {
  model: Module;
  testData: DataLoader;
  classNames: readonly string[];
  normalize: NormalizeStats | null;
}

/** What a training method sees to build its task and callbacks. */
export interface TrainingSetup {
  config: ExperimentConfig;
  /** The standardisation the loaders apply (null: inputs are [0, 1] pixels). */
  normalize: NormalizeStats | null;
  data: ExperimentData;
  /** The task the run would train without the method. */
  baseTask: ClassificationTask;
  valLoader?: DataLoader;
}

export type TrainingMethods = (setup: TrainingSetup) => { task?: Task; callbacks?: Callback[] };

export interface ExperimentResult {
  runDir: string;
  history: History;
  testAccuracy: number;
  testLoss: number;
  config: ExperimentConfig;
  trainingSeconds: number;
  /** With profileSteps: the operator statistics (and no test scores). */
  profile?: ProfileResult;
}

/** Dataset paths made absolute, so the resolved config works from any directory. */
function absolutePaths(cfg: ExperimentConfig, baseDir: string): ExperimentConfig {
  const abs = (p: string | undefined) => (p === undefined || path.isAbsolute(p) ? p : path.resolve(baseDir, p));
  const dataset = { ...cfg.dataset };
  if (dataset.root !== undefined) dataset.root = abs(dataset.root)!;
  if (dataset.testRoot !== undefined) dataset.testRoot = abs(dataset.testRoot)!;
  return { ...cfg, dataset };
}

function buildTask(cfg: ExperimentConfig, data: ExperimentData): Task {
  if (cfg.task === 'denoise') return new ReconstructionTask({ loss: cfg.loss ?? 'mse' });
  if (cfg.task === 'segmentation') return new SegmentationTask({ numClasses: data.classNames.length, ...(cfg.segmentationLoss ? { segmentationLoss: cfg.segmentationLoss } : {}) });
  if (cfg.task === 'multilabel') return new MultilabelTask({ numLabels: data.classNames.length });
  const classWeights = cfg.classWeights
    ? computeClassWeights('balanced', data.train.labels ?? new Int32Array(), data.classNames.length) : undefined;
  return new ClassificationTask(classWeights ? { classWeights } : {});
}

/** A model trained on a range of Gaussian noise levels is also scored at 6 levels across it (on up to 500 test images). */
function blindSweep(cfg: ExperimentConfig, data: ExperimentData, transform: Transform) {
  const n = cfg.noise;
  if (n?.kind !== 'gaussian' || typeof n.std === 'number') return {};
  const [lo, hi] = n.std;
  const levels = Array.from({ length: 6 }, (_, i) => lo + (hi - lo) * i / 5);
  const sample = new Subset(data.test, Int32Array.from({ length: Math.min(500, data.test.length) }, (_, i) => i));
  return { noiseSweep: { data: sample, levels, transform } };
}

/** The run directory to continue and the config it was started with. */
function openResumedRun(dir: string): { runDir: RunDir; config: unknown; checkpoint: string } {
  const run = openRunDir(dir);
  const checkpoint = path.join(run.checkpoints, 'last.ckpt');
  if (!existsSync(checkpoint)) {
    throw new Error(`resume: ${dir} has no checkpoints/last.ckpt to continue from (it stopped before its first checkpoint; start it again instead)`);
  }
  return { runDir: run, config: run.config, checkpoint };
}

export async function runExperiment(config: ExperimentConfig | unknown, opts: RunExperimentOptions = {}): Promise<ExperimentResult> {
  const resumed = opts.resume !== undefined ? openResumedRun(opts.resume) : undefined;
  const source = resumed ? resumed.config : config;
  const parsed = validateConfig(source);
  const cfg: ExperimentConfig = opts.epochs !== undefined ? validateConfig({ ...(source as object), epochs: opts.epochs }) : parsed;
  if (cfg.method && !opts.buildMethod) throw new ConfigError(`config.method: '${cfg.method.name}' needs a method builder (runExperiment's buildMethod option; visionlab train provides it)`);
  const group = opts.distributed && opts.distributed.worldSize > 1 ? opts.distributed : undefined;
  // Rank 0 speaks and writes for the job; the other ranks train silently.
  const leader = !group || group.rank === 0;
  const quiet = opts.quiet === true || !leader;
  const log = opts.log && leader ? opts.log : (quiet ? () => undefined : (s: string) => console.log(s));
  const baseDir = opts.baseDir ?? process.cwd();
  manualSeed(cfg.seed);
  if (cfg.deterministic) useDeterministicAlgorithms(true);

  const data = await loadExperimentData(cfg, baseDir);
  log(`data: ${data.train.length} train, ${data.val?.length ?? 0} validation, ${data.test.length} test images of ` +
    `${data.imageShape.join('×')}, ${data.classNames.length} classes` +
    (data.labelNoise ? `; label noise flipped ${(100 * data.labelNoise.realisedRate).toFixed(1)}% of training labels` : ''));
  const normalize = resolveNormalize(cfg.transforms, data.train);
  const resolved: ExperimentConfig = absolutePaths({ ...cfg, transforms: { ...cfg.transforms, normalize: normalize ?? 'none' } }, baseDir);
  const dl = experimentLoaders(resolved, data, normalize, group);

  const inputShape = transformedShape(dl.testT, data.imageShape);
  const { model, pretrainedReport } = await buildModel(cfg.model, { numClasses: data.classNames.length, inputShape }, baseDir);
  if (pretrainedReport) {
    log(`pretrained weights: ${pretrainedReport.missingKeys.length} missing, ${pretrainedReport.unexpectedKeys.length} unexpected, ` +
      `${pretrainedReport.mismatchedKeys.length} mismatched keys`);
  }
  if (cfg.device !== 'cpu') model.to(cfg.device);

  let runDir: RunDir | undefined;
  if (resumed) {
    runDir = resumed.runDir;
    log(`resuming ${runDir.path} from ${path.relative(runDir.path, resumed.checkpoint)}`);
  } else if (leader) {
    runDir = createRunDir(opts.runsRoot ?? 'runs', cfg.name);
    await runDir.writeConfig(resolved);
    log(`run directory: ${runDir.path}`);
  }
  // Only rank 0 logs and checkpoints; every rank resumes from rank 0's checkpoint.
  const writes = leader ? runDir : undefined;

  const method = cfg.method && opts.buildMethod
    ? await opts.buildMethod(cfg, data, methodSetup({ cfg, resolved, data, normalize, baseDir, inputShape, model, log, ...(writes ? { runDir: writes } : {}) }))
    : {};
  const trained = method.trainModel ?? model;
  if (cfg.device !== 'cpu') trained.to(cfg.device);
  const optimizer = buildOptimizer(cfg.optimizer, trained.trainableParameters());
  const schedule = buildSchedule(cfg.schedule, optimizer, { epochs: cfg.epochs, stepsPerEpoch: dl.train.length, lr: cfg.optimizer.lr });
  // Method callbacks first, so that what they add to an epoch's logs is logged too.
  const callbacks: Callback[] = [...(method.callbacks ?? [])];
  if (writes) {
    callbacks.push(new MetricsLogger({ jsonl: writes.metricsJsonl, csv: writes.metricsCsv }));
    callbacks.push(new ConfusionLogger({ file: writes.file('confusion.jsonl'), classNames: data.classNames }));
  }
  if (cfg.earlyStopping) {
    const es = cfg.earlyStopping;
    callbacks.push(new EarlyStopping({ monitor: es.monitor, patience: es.patience, minDelta: es.minDelta, restoreBestWeights: es.restoreBestWeights }));
  }
  const baseTask = method.task ?? buildTask(cfg, data);
  let task: Task = baseTask;
  if (cfg.adversarial) {
    if (!opts.trainingMethods) throw new ConfigError('config.adversarial: adversarial training needs the training methods (visionlab train, or runExperiment(config, { trainingMethods: adversarialTraining }))');
    if (!(baseTask instanceof ClassificationTask)) throw new ConfigError(`config.adversarial: adversarial training needs a classification task, not '${baseTask.name}'`);
    const adversarial = opts.trainingMethods({ config: resolved, normalize, data, baseTask, ...(dl.val ? { valLoader: dl.val } : {}) });
    if (adversarial.task) task = adversarial.task;
    callbacks.push(...(adversarial.callbacks ?? []));
  }
  const precision = resolvePrecision(cfg.precision, cfg.device);
  const memoryFormat = chooseMemoryFormat(model, cfg.device);
  log(`precision: ${precision.precision} (${precision.reason}); memory format: ${memoryFormat.memoryFormat} (${memoryFormat.reason})`);
  const profiler = opts.profileSteps !== undefined ? new OperatorProfiler({ steps: opts.profileSteps, onReport: (p, n) => log(`operators over ${n} training steps, by self time:\n${p.table(20)}`) }) : undefined;
  if (profiler) callbacks.push(profiler);

  const started = new Date();
  const t0 = performance.now();
  const history = await fit(group ? new DistributedDataParallel(trained, group) : trained, dl.train, {
    ...(dl.val ? { valData: dl.val } : {}),
    epochs: cfg.epochs, optimizer, task, callbacks, seed: cfg.seed, device: cfg.device, verbose: !quiet,
    ...(writes ? { checkpointDir: writes.checkpoints } : {}),
    ...(writes && cfg.checkpointEvery ? { checkpointEvery: cfg.checkpointEvery } : {}),
    ...(group ? { leadingCallbacks: [new ReduceEpochLogs(group)] } : {}),
    ...(resumed ? { resumeFrom: resumed.checkpoint } : {}),
    ...(schedule ? { schedule } : {}),
    ...(cfg.gradClipNorm ? { gradClipNorm: cfg.gradClipNorm } : {}),
    ...(method.sampleWeights ? { sampleWeights: method.sampleWeights } : {}),
    precision: precision.precision,
  });
  // A resumed run's training time includes the epochs before the interruption.
  const trainingSeconds = resumed ? history.epochs.reduce((t, e) => t + e.time_s, 0) : (performance.now() - t0) / 1000;

  if (profiler) {
    return { runDir: runDir?.path ?? '', history, testAccuracy: NaN, testLoss: NaN, config: resolved, trainingSeconds, ...(profiler.result ? { profile: profiler.result } : {}) };
  }
  if (!writes) return { runDir: runDir?.path ?? '', history, testAccuracy: NaN, testLoss: NaN, config: resolved, trainingSeconds };

  const testTask = withTestTimeAugmentation(cfg.task === 'classification' ? new ClassificationTask() : task, cfg.tta);
  // A classification run's report reuses these test probabilities: the test set is scored once.
  const test = await evaluate(model, dl.test, { task: testTask, precision: precision.precision, probs: cfg.task === 'classification' });
  try {
    if (testTask instanceof TestTimeAugmentation) {
      const single = await evaluate(model, dl.test, { precision: precision.precision });
      log(`test accuracy from ${testTask.viewCount} views (${cfg.tta!.join(', ')}): ${test.accuracy.toFixed(4)}; from the image alone: ${single.accuracy.toFixed(4)}`);
    }
    await saveSafetensors(path.join(writes.path, WEIGHTS_FILE), model.stateDict(), { model: cfg.model.name });
    await writeRunInfo(writes.path, {
      name: cfg.name, model: cfg.model.name, classNames: data.classNames, imageShape: data.imageShape, weights: WEIGHTS_FILE,
      task: { name: task.name, metrics: [...task.metricNames], primaryMetric: task.primaryMetric },
      test: { loss: test.loss, ...test.metrics, samples: data.test.length },
      trainSamples: data.train.length, valSamples: data.val?.length ?? 0,
      ...(data.labelNoise ? { labelNoise: { realisedRate: data.labelNoise.realisedRate } } : {}),
      parameters: model.numParameters(true),
      ...('latentShape' in model && Array.isArray(model.latentShape) ? { latentShape: model.latentShape as number[] } : {}),
      startedAt: started.toISOString(), trainingSeconds,
      precision: { requested: precision.requested, chosen: precision.precision, reason: precision.reason },
      memoryFormat: { chosen: memoryFormat.memoryFormat, reason: memoryFormat.reason },
    });
    if (cfg.task === 'denoise') {
      await writeReconstructionReport(writes, { model, testData: dl.test, task, history, config: resolved, ...blindSweep(cfg, data, dl.testT) });
    } else if (task instanceof SegmentationTask || task instanceof MultilabelTask) {
      await writeSceneReport(writes, { model, task, testData: dl.test, ...(dl.val ? { valData: dl.val } : {}), classNames: data.classNames, history, config: resolved });
    } else {
      const extraFigures = [
        ...(method.figures ? await method.figures(history) : []),
        ...(opts.reportFigures ? await opts.reportFigures({ model, testData: dl.test, classNames: data.classNames, normalize }) : []),
      ];
      await writeRunReport(writes, { model, testData: dl.test, classNames: data.classNames, history, metricNames: task.metricNames, config: resolved, extraFigures, evaluation: test as typeof test & { probs: Tensor } });
    }
  } finally {
    test.probs?.dispose();
  }
  return { runDir: writes.path, history, testAccuracy: test.accuracy, testLoss: test.loss, config: resolved, trainingSeconds };
}
