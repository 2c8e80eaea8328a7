// fit(): the training loop. One tidy per step; loss and correct counts accumulate in
// tensors and are read back once per epoch, unless a callback reads a batch's values.
import { type Tensor, tidy, keep, zeros, tensor, manualSeed } from '../torch/index.js';
import type { Module } from '../nn/index.js';
import { weightedMean } from '../nn/index.js';
import { Optimizer, ReduceLROnPlateau, type LRSchedule } from '../optim/index.js';
import type { DataLoader } from '../data/index.js';
import { modelPenalty, declaredPenalties } from '../models/index.js';
import { type Callback, type CallbackContext, type TrainLogs, StopTraining, wantsBatchEvents } from './callback.js';
import { History, type EpochLogs } from './history.js';
import { resolveLoss, type LossSpec } from './loss.js';
import { correctCount } from './batch-accuracy.js';
import { clipGradNorm } from './grad-clip.js';
import { evaluate } from './evaluate.js';
import { loadCheckpoint } from './checkpoint.js';
import { lazyBatchLogs } from './lazy-batch-logs.js';
import { ProgressBar } from './callbacks/progress-bar.js';
import { ModelCheckpoint } from './callbacks/model-checkpoint.js';

export interface FitOptions {
  valData?: DataLoader;
  epochs: number;
  optimizer: Optimizer;
  /** Default: cross-entropy, mean over the batch. */
  loss?: LossSpec;
  /** Stepped per its interval; ReduceLROnPlateau with `scheduleMonitor` at each epoch's end. */
  schedule?: LRSchedule;
  /** What ReduceLROnPlateau watches. Default 'val_loss' with validation data, else 'loss'. */
  scheduleMonitor?: string;
  callbacks?: Callback[];
  /** Per-class loss weights (cross-entropy). */
  classWeights?: Tensor | number[];
  /** One weight per sample of the training dataset, looked up through each batch's indices. */
  sampleWeights?: Float32Array;
  /** Clip the gradients' joint L2 norm to this value before every update. */
  gradClipNorm?: number;
  /** Seeds libtorch's generator at the start (weights already built are not affected). */
  seed?: number;
  device?: string;
  /** Progress bar (default: on, unless VISIONLAB_QUIET is set). */
  verbose?: boolean;
  /** Index of the first epoch to run (default 0). */
  initialEpoch?: number;
  /** Checkpoint to continue from: training resumes with the epoch after the saved one. */
  resumeFrom?: string;
  /** Writes best.safetensors and last.ckpt here after every epoch. */
  checkpointDir?: string;
  /** Metrics recorded every epoch; accuracy is the only one (and always recorded). */
  metrics?: 'accuracy'[];
}

type HookName = 'onTrainBegin' | 'onTrainEnd' | 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd';

async function dispatch(cbs: readonly Callback[], hook: HookName, ctx: CallbackContext, ...args: unknown[]): Promise<void> {
  for (const cb of cbs) {
    const f = cb[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
    if (typeof f !== 'function') continue;
    try {
      await f.call(cb, ...args, ctx);
    } catch (e) {
      if (e instanceof StopTraining) ctx.stopTraining = true;
      else throw e;
    }
  }
}

function checkOptions(model: Module, train: DataLoader, o: FitOptions): void {
  if (!o || typeof o !== 'object') throw new TypeError('fit: options { epochs, optimizer } are required');
  if (!Number.isInteger(o.epochs) || o.epochs < 0) throw new RangeError(`fit: epochs must be a non-negative integer, got ${o.epochs}`);
  if (!(o.optimizer instanceof Optimizer)) throw new TypeError('fit: optimizer must be an Optimizer (e.g. new SGD(model.parameters(), { lr: 0.01 }))');
  if (typeof model?.call !== 'function') throw new TypeError('fit: model must be a Module');
  if (typeof train?.[Symbol.asyncIterator] !== 'function') throw new TypeError('fit: train must be a DataLoader');
  if (o.initialEpoch !== undefined && (!Number.isInteger(o.initialEpoch) || o.initialEpoch < 0)) throw new RangeError(`fit: initialEpoch must be a non-negative integer, got ${o.initialEpoch}`);
  if (o.sampleWeights !== undefined) {
    if (!(o.sampleWeights instanceof Float32Array)) throw new TypeError('fit: sampleWeights must be a Float32Array with one weight per training sample');
    if (o.sampleWeights.length !== train.dataset.length) {
      throw new RangeError(`fit: sampleWeights has ${o.sampleWeights.length} entries but the training dataset has ${train.dataset.length} samples`);
    }
  }
  if (o.gradClipNorm !== undefined && !(o.gradClipNorm > 0)) throw new RangeError(`fit: gradClipNorm must be a positive number, got ${o.gradClipNorm}`);
  for (const m of o.metrics ?? []) if (m !== 'accuracy') throw new RangeError(`fit: unknown metric '${String(m)}' (supported: 'accuracy')`);
}

function quietByDefault(): boolean {
  const q = process.env.VISIONLAB_QUIET;
  return q !== undefined && q !== '' && q !== '0';
}

export async function fit(model: Module, train: DataLoader, opts: FitOptions): Promise<History> {
  checkOptions(model, train, opts);
  const { optimizer, schedule } = opts;
  const { fn: lossFn } = resolveLoss(opts.loss, 'fit');
  if (opts.seed !== undefined) manualSeed(opts.seed);
  if (opts.device) model.to(opts.device);
  const device = opts.device ?? model.parameters()[0]?.device ?? 'cpu';

  let history = new History();
  let startEpoch = opts.initialEpoch ?? 0;
  if (opts.resumeFrom) {
    const loaded = await loadCheckpoint(opts.resumeFrom, { model, optimizer, schedule, loader: train });
    history = loaded.history;
    startEpoch = loaded.epoch;
    if (loaded.loaderEpoch === undefined) train.setEpoch(startEpoch);
  } else if (opts.initialEpoch !== undefined) {
    train.setEpoch(startEpoch);
  }

  const callbacks = [...(opts.callbacks ?? [])];
  if (opts.checkpointDir) callbacks.push(new ModelCheckpoint({ dir: opts.checkpointDir, monitor: opts.valData ? 'val_loss' : 'loss' }));
  if (opts.verbose ?? !quietByDefault()) callbacks.push(new ProgressBar());
  const batchCallbacks = callbacks.filter(wantsBatchEvents);

  const ctx: CallbackContext = {
    model, optimizer, history, stopTraining: false, epochs: opts.epochs, stepsPerEpoch: train.length,
    ...(schedule ? { schedule } : {}), trainData: train,
  };
  const trainLogs: TrainLogs = { epochs: opts.epochs, initialEpoch: startEpoch, history };
  const classWeights = opts.classWeights === undefined ? null
    : keep(Array.isArray(opts.classWeights) ? tensor(Float32Array.from(opts.classWeights)).to(device)
      : opts.classWeights.to({ dtype: 'float32', device }, { copy: true }));
  const hasPenalty = declaredPenalties(model).length > 0;
  const params = model.parameters().filter((p) => p.requiresGrad);
  const scheduleMonitor = opts.scheduleMonitor ?? (opts.valData ? 'val_loss' : 'loss');

  try {
    await dispatch(callbacks, 'onTrainBegin', ctx, trainLogs);
    for (let epoch = startEpoch; epoch < opts.epochs && !ctx.stopTraining; epoch++) {
      const started = performance.now();
      model.train();
      const lr = optimizer.paramGroups[0]!.lr;
      await dispatch(callbacks, 'onEpochBegin', ctx, epoch, { epoch, lr });
      const lossSum = keep(zeros([], { dtype: 'float64', device }));
      const correct = keep(zeros([], { dtype: 'float64', device }));
      let seen = 0;
      let counted = 0;
      let b = 0;
      try {
        for await (const batch of train) {
          const n = batch.targets.shape[0]!;
          let stepLoss: Tensor | undefined;
          let stepCorrect: { correct: Tensor; count: number } | undefined;
          try {
            if (batchCallbacks.length) await dispatch(batchCallbacks, 'onBatchBegin', ctx, b, lazyBatchLogs(b, n));
            tidy(() => {
              const x = batch.inputs.device === device ? batch.inputs : batch.inputs.to(device);
              const y = batch.targets.device === device ? batch.targets : batch.targets.to(device);
              optimizer.zeroGrad();
              const logits = model.call(x) as Tensor;
              let loss: Tensor;
              if (opts.sampleWeights) {
                const w = tensor(Float32Array.from(batch.indices, (i) => opts.sampleWeights![i]!)).to(device);
                const perSample = lossFn(logits, y, { reduction: 'none', weight: classWeights });
                if (perSample.ndim === 0 || perSample.shape[0] !== n) {
                  throw new Error(`fit: sampleWeights need a loss that returns one value per sample for reduction 'none'; got shape [${perSample.shape}]`);
                }
                loss = weightedMean(perSample, w);
              } else {
                loss = lossFn(logits, y, { reduction: 'mean', weight: classWeights });
              }
              const objective = hasPenalty ? loss.add(modelPenalty(model)) : loss;
              objective.backward();
              if (opts.gradClipNorm !== undefined) clipGradNorm(params, opts.gradClipNorm);
              optimizer.step();
              const detached = loss.detach();
              lossSum.add_(detached.mul(n));
              const c = correctCount(logits.detach(), y);
              if (c) {
                correct.add_(c.correct);
                counted += c.count;
              }
              if (batchCallbacks.length) {
                stepLoss = keep(detached);
                if (c) stepCorrect = { correct: keep(c.correct), count: c.count };
              }
            });
            seen += n;
            if (schedule && !(schedule instanceof ReduceLROnPlateau) && schedule.interval === 'batch') stepSchedule(schedule);
            if (batchCallbacks.length) await dispatch(batchCallbacks, 'onBatchEnd', ctx, b, lazyBatchLogs(b, n, stepLoss, stepCorrect));
          } finally {
            stepLoss?.dispose();
            stepCorrect?.correct.dispose();
            batch.inputs.dispose();
            batch.targets.dispose();
          }
          b++;
          if (ctx.stopTraining) break;
        }
        if (seen === 0) throw new Error('fit: the training loader yielded no batches');
        const logs: EpochLogs = { epoch, loss: lossSum.item() / seen, accuracy: counted > 0 ? correct.item() / counted : NaN, lr, time_s: 0 };
        if (opts.valData) {
          const v = await evaluate(model, opts.valData, { loss: opts.loss, device });
          logs.val_loss = v.loss;
          logs.val_accuracy = v.accuracy;
        }
        logs.time_s = (performance.now() - started) / 1000;
        if (schedule instanceof ReduceLROnPlateau) {
          const metric = logs[scheduleMonitor];
          if (typeof metric !== 'number') throw new Error(`fit: ReduceLROnPlateau watches '${scheduleMonitor}', which epoch ${epoch} did not record (recorded: ${Object.keys(logs).join(', ')})`);
          schedule.step(metric);
        } else if (schedule && schedule.interval === 'epoch') {
          stepSchedule(schedule);
        }
        history.epochs.push(logs);
        await dispatch(callbacks, 'onEpochEnd', ctx, epoch, logs);
      } finally {
        lossSum.dispose();
        correct.dispose();
      }
    }
  } finally {
    classWeights?.dispose();
  }
  await dispatch(callbacks, 'onTrainEnd', ctx, trainLogs);
  return history;
}

function stepSchedule(s: LRSchedule): void {
  (s as unknown as { step(): void }).step();
}
