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
import { saveSafetensors, manualSeed, useDeterministicAlgorithms } from '../torch/index.js';
import { DataLoader, computeClassWeights } from '../data/index.js';
import {
  fit, evaluate, EarlyStopping, MetricsLogger, createRunDir, openRunDir, writeRunReport, ClassificationTask, SegmentationTask, MultilabelTask,
  writeSceneReport, type History, type Callback, type RunDir, type Task,
} from '../train/index.js';
import { validateConfig, type ExperimentConfig } from './config.js';
import { loadExperimentData, type ExperimentData } from './experiment-data.js';
import { buildTransform, resolveNormalize, transformedShape } from './build-transforms.js';
import { buildModel } from './build-model.js';
import { buildOptimizer, buildSchedule } from './build-optimizer.js';
import { writeRunInfo, WEIGHTS_FILE } from './run-files.js';

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
}

export interface ExperimentResult {
  runDir: string;
  history: History;
  testAccuracy: number;
  testLoss: number;
  config: ExperimentConfig;
  trainingSeconds: number;
}

/** Segmentation masks move with their images, with the ignore index where a move uncovers pixels. */
const MASK_FILL_TRANSFORMS = ['RandomCrop', 'RandomRotation', 'RandomAffine'];
function withIgnoreFill(specs: ExperimentConfig['transforms']['train']): ExperimentConfig['transforms']['train'] {
  return specs.map((s) => (MASK_FILL_TRANSFORMS.includes(s.name) && s.maskFill === undefined ? { ...s, maskFill: 255 } : s));
}

function loaders(cfg: ExperimentConfig, data: ExperimentData, normalize: ReturnType<typeof resolveNormalize>) {
  const masks = cfg.task === 'segmentation';
  const trainT = buildTransform(masks ? withIgnoreFill(cfg.transforms.train) : cfg.transforms.train, normalize, cfg.seed, 'config.transforms.train');
  const testT = buildTransform(masks ? withIgnoreFill(cfg.transforms.test) : cfg.transforms.test, normalize, cfg.seed, 'config.transforms.test');
  const device = cfg.device;
  // Segmentation chains run as pair transforms, so every geometric step also moves the masks.
  const using = (t: typeof trainT) => (masks ? { pairTransform: t } : { transform: t });
  const evalBatch = Math.max(cfg.batchSize, masks ? 64 : 256);
  const train = new DataLoader(data.train, { batchSize: cfg.batchSize, shuffle: true, seed: cfg.seed, ...using(trainT), device });
  const val = data.val ? new DataLoader(data.val, { batchSize: evalBatch, ...using(testT), device }) : undefined;
  const test = new DataLoader(data.test, { batchSize: evalBatch, ...using(testT), device });
  return { train, val, test, testT };
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
  if (cfg.task === 'segmentation') return new SegmentationTask({ numClasses: data.classNames.length });
  if (cfg.task === 'multilabel') return new MultilabelTask({ numLabels: data.classNames.length });
  const classWeights = cfg.classWeights
    ? computeClassWeights('balanced', data.train.labels ?? new Int32Array(), data.classNames.length) : undefined;
  return new ClassificationTask(classWeights ? { classWeights } : {});
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
  const log = opts.log ?? (opts.quiet ? () => undefined : (s: string) => console.log(s));
  const baseDir = opts.baseDir ?? process.cwd();
  manualSeed(cfg.seed);
  if (cfg.deterministic) useDeterministicAlgorithms(true);

  const data = await loadExperimentData(cfg, baseDir);
  log(`data: ${data.train.length} train, ${data.val?.length ?? 0} validation, ${data.test.length} test images of ` +
    `${data.imageShape.join('×')}, ${data.classNames.length} classes` +
    (data.labelNoise ? `; label noise flipped ${(100 * data.labelNoise.realisedRate).toFixed(1)}% of training labels` : ''));
  const normalize = resolveNormalize(cfg.transforms, data.train);
  const resolved: ExperimentConfig = absolutePaths({ ...cfg, transforms: { ...cfg.transforms, normalize: normalize ?? 'none' } }, baseDir);
  const dl = loaders(resolved, data, normalize);

  const inputShape = transformedShape(dl.testT, data.imageShape);
  const { model, pretrainedReport } = await buildModel(cfg.model, { numClasses: data.classNames.length, inputShape }, baseDir);
  if (pretrainedReport) {
    log(`pretrained weights: ${pretrainedReport.missingKeys.length} missing, ${pretrainedReport.unexpectedKeys.length} unexpected, ` +
      `${pretrainedReport.mismatchedKeys.length} mismatched keys`);
  }
  if (cfg.device !== 'cpu') model.to(cfg.device);
  const optimizer = buildOptimizer(cfg.optimizer, model.trainableParameters());
  const schedule = buildSchedule(cfg.schedule, optimizer, { epochs: cfg.epochs, stepsPerEpoch: dl.train.length, lr: cfg.optimizer.lr });

  let runDir: RunDir;
  if (resumed) {
    runDir = resumed.runDir;
    log(`resuming ${runDir.path} from ${path.relative(runDir.path, resumed.checkpoint)}`);
  } else {
    runDir = createRunDir(opts.runsRoot ?? 'runs', cfg.name);
    await runDir.writeConfig(resolved);
    log(`run directory: ${runDir.path}`);
  }

  const callbacks: Callback[] = [new MetricsLogger({ jsonl: runDir.metricsJsonl, csv: runDir.metricsCsv })];
  if (cfg.earlyStopping) {
    const es = cfg.earlyStopping;
    callbacks.push(new EarlyStopping({ monitor: es.monitor, patience: es.patience, minDelta: es.minDelta, restoreBestWeights: es.restoreBestWeights }));
  }
  const task = buildTask(cfg, data);

  const started = new Date();
  const t0 = performance.now();
  const history = await fit(model, dl.train, {
    ...(dl.val ? { valData: dl.val } : {}),
    epochs: cfg.epochs, optimizer, task, callbacks, seed: cfg.seed, device: cfg.device, verbose: !opts.quiet,
    checkpointDir: runDir.checkpoints,
    ...(cfg.checkpointEvery ? { checkpointEvery: cfg.checkpointEvery } : {}),
    ...(resumed ? { resumeFrom: resumed.checkpoint } : {}),
    ...(schedule ? { schedule } : {}),
    ...(cfg.gradClipNorm ? { gradClipNorm: cfg.gradClipNorm } : {}),
  });
  // A resumed run's training time includes the epochs before the interruption.
  const trainingSeconds = resumed ? history.epochs.reduce((t, e) => t + e.time_s, 0) : (performance.now() - t0) / 1000;

  const test = await evaluate(model, dl.test, { task: cfg.task === 'classification' ? new ClassificationTask() : task });
  await saveSafetensors(path.join(runDir.path, WEIGHTS_FILE), model.stateDict(), { model: cfg.model.name });
  await writeRunInfo(runDir.path, {
    name: cfg.name, model: cfg.model.name, classNames: data.classNames, imageShape: data.imageShape, weights: WEIGHTS_FILE,
    task: { name: task.name, metrics: [...task.metricNames], primaryMetric: task.primaryMetric },
    test: { loss: test.loss, ...test.metrics, samples: data.test.length },
    trainSamples: data.train.length, valSamples: data.val?.length ?? 0,
    ...(data.labelNoise ? { labelNoise: { realisedRate: data.labelNoise.realisedRate } } : {}),
    startedAt: started.toISOString(), trainingSeconds,
  });
  if (task instanceof SegmentationTask || task instanceof MultilabelTask) {
    await writeSceneReport(runDir, { model, task, testData: dl.test, ...(dl.val ? { valData: dl.val } : {}), classNames: data.classNames, history, config: resolved });
  } else {
    await writeRunReport(runDir, { model, testData: dl.test, classNames: data.classNames, history, metricNames: task.metricNames, config: resolved });
  }
  return { runDir: runDir.path, history, testAccuracy: test.accuracy, testLoss: test.loss, config: resolved, trainingSeconds };
}
