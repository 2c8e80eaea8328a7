// fit(): the training loop, the same for every task. One memory scope per step; the loss
// and the task's metrics accumulate on the device and are read back once per epoch,
// unless a callback reads a batch's values. Everything optional about a step (gradient
// clipping, per-sample weights, schedules, checkpoints, progress) is a callback. The
// precision (autocast for the forward pass) and the memory format are chosen once, up front.
import { type Tensor, tidy, keep, zeros, manualSeed } from '../torch/index.js';
import type { Module } from '../nn/index.js';
import { Optimizer, type LRSchedule } from '../optim/index.js';
import type { DataLoader } from '../data/index.js';
import { modelPenalty, hasPenalty } from '../models/index.js';
import {
  type Callback, type CallbackContext, type TrainLogs, type BatchLogs, type StepState, StopTraining, wantsBatchEvents,
} from './callback.js';
import { History, type EpochLogs } from './history.js';
import type { LossSpec } from './loss.js';
import type { Task, StepBatch, EpochMetrics } from './task.js';
import { resolveTask } from './tasks/resolve.js';
import { evaluate } from './evaluate.js';
import { loadCheckpoint } from './checkpoint.js';
import { ProgressBar } from './callbacks/progress-bar.js';
import { ModelCheckpoint } from './callbacks/model-checkpoint.js';
import { GradientClipping } from './callbacks/gradient-clipping.js';
import { SampleWeighting } from './callbacks/sample-weighting.js';
import { LRSchedulerCallback } from './callbacks/lr-scheduler-callback.js';
import { resolvePrecision, inPrecision, asFloat32, type Precision } from './precision.js';
import { chooseMemoryFormat, inModelFormat } from './memory-format.js';
import { GradScaler } from './grad-scaler.js';

export interface FitOptions {
  valData?: DataLoader;
  epochs: number;
  optimizer: Optimizer;
  /** What a step computes and measures. Default: classification with `loss` and `classWeights`. */
  task?: Task;
  /** Loss of the default classification task (default cross-entropy). */
  loss?: LossSpec;
  /** Per-class loss weights of the default classification task. */
  classWeights?: Tensor | number[];
  /** Stepped per its interval; ReduceLROnPlateau with `scheduleMonitor` at each epoch's end. */
  schedule?: LRSchedule;
  /** What ReduceLROnPlateau watches. Default 'val_loss' with validation data, else 'loss'. */
  scheduleMonitor?: string;
  callbacks?: Callback[];
  /**
   * Callbacks that see every event before fit's own (schedule, clipping) and `callbacks`:
   * what all others must find done, such as averaging a data-parallel epoch's logs over ranks.
   */
  leadingCallbacks?: Callback[];
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
  /** Checkpoint to continue from: at the epoch and batch where it was written. */
  resumeFrom?: string;
  /** Writes best.safetensors and last.ckpt here after every epoch. */
  checkpointDir?: string;
  /** With checkpointDir: also write last.ckpt every this many optimizer steps. */
  checkpointEvery?: number;
  /**
   * 'auto' (default): bf16-mixed where the device has native bf16 units, else fp32.
   * 'bf16-mixed' / 'fp16-mixed' (CUDA, with loss scaling) run the forward pass under
   * autocast; weights, optimizer state, losses and metrics stay float32.
   */
  precision?: Precision;
}

type HookName = 'onTrainBegin' | 'onTrainEnd' | 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd';
type StepHook = 'afterForward' | 'afterLoss' | 'afterBackward' | 'beforeStep';

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

function dispatchStep(cbs: readonly Callback[], hook: StepHook, state: StepState, ctx: CallbackContext): void {
  for (const cb of cbs) {
    try {
      cb[hook]?.(state, ctx);
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
  if (o.task && (o.loss !== undefined || o.classWeights !== undefined)) {
    throw new TypeError('fit: loss and classWeights configure the default classification task; with a task, give them to the task');
  }
  if (o.checkpointEvery !== undefined) {
    if (!Number.isInteger(o.checkpointEvery) || o.checkpointEvery <= 0) throw new RangeError(`fit: checkpointEvery must be a positive integer, got ${o.checkpointEvery}`);
    if (!o.checkpointDir) throw new TypeError('fit: checkpointEvery needs checkpointDir (where last.ckpt is written)');
  }
}

function quietByDefault(): boolean {
  const q = process.env.VISIONLAB_QUIET;
  return q !== undefined && q !== '' && q !== '0';
}

/** The loop's own running sums of an epoch next to the task's metrics. */
class EpochSums {
  readonly lossSum: Tensor;
  seen = 0;
  constructor(device: string, readonly metrics: EpochMetrics) {
    this.lossSum = keep(zeros([], { dtype: 'float64', device }));
  }
  add(loss: Tensor, n: number): void {
    this.lossSum.add_(loss.mul(n));
    this.seen += n;
  }
  values(): Record<string, number> {
    return { loss: this.lossSum.item() / this.seen, ...this.metrics.compute() };
  }
  stateDict(): Record<string, number> {
    return { lossSum: this.lossSum.item(), seen: this.seen, ...prefixed('metric.', this.metrics.stateDict()) };
  }
  loadStateDict(s: Record<string, number>): void {
    this.lossSum.fill_(s.lossSum ?? 0);
    this.seen = s.seen ?? 0;
    const m: Record<string, number> = {};
    for (const [k, v] of Object.entries(s)) if (k.startsWith('metric.')) m[k.slice(7)] = v;
    this.metrics.loadStateDict(m);
  }
  dispose(): void {
    this.lossSum.dispose();
    this.metrics.dispose();
  }
}

function prefixed(p: string, o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [p + k, v]));
}

function batchLogs(batch: number, size: number, loss: Tensor | undefined, sums: EpochSums): BatchLogs {
  let lossValue: number | undefined;
  return {
    batch, size,
    get loss() { return (lossValue ??= loss && !loss.isDisposed ? loss.item() : NaN); },
    running: () => sums.values(),
  };
}

export async function fit(model: Module, train: DataLoader, opts: FitOptions): Promise<History> {
  checkOptions(model, train, opts);
  const { optimizer, schedule } = opts;
  const task = resolveTask(opts);
  if (opts.seed !== undefined) manualSeed(opts.seed);
  if (opts.device) model.to(opts.device);
  const device = opts.device ?? model.parameters()[0]?.device ?? 'cpu';
  const precision = resolvePrecision(opts.precision, device);
  const memoryFormat = chooseMemoryFormat(model, device);
  const gradScaler = precision.precision === 'fp16-mixed' ? new GradScaler() : undefined;

  let history = new History();
  let startEpoch = opts.initialEpoch ?? 0;
  let startBatch = 0;
  let resumedSums: Record<string, number> | undefined;
  let globalStep: number;
  if (opts.resumeFrom) {
    const loaded = await loadCheckpoint(opts.resumeFrom, { model, optimizer, schedule, loader: train, ...(gradScaler ? { gradScaler } : {}) });
    history = loaded.history;
    startEpoch = loaded.epoch;
    startBatch = loaded.batchesDone;
    resumedSums = loaded.epochSums;
    globalStep = loaded.globalStep ?? startEpoch * train.length + startBatch;
  } else {
    globalStep = startEpoch * train.length;
  }

  const scheduleMonitor = opts.scheduleMonitor ?? (opts.valData ? 'val_loss' : 'loss');
  // Order matters: the schedule steps before anything saves its state, and checkpoints
  // are written after every other callback has had its say about the epoch.
  const callbacks: Callback[] = [];
  callbacks.push(...(opts.leadingCallbacks ?? []));
  if (schedule) callbacks.push(new LRSchedulerCallback(schedule, scheduleMonitor));
  if (opts.gradClipNorm !== undefined) callbacks.push(new GradientClipping(opts.gradClipNorm));
  if (opts.sampleWeights) callbacks.push(new SampleWeighting(opts.sampleWeights));
  callbacks.push(...(opts.callbacks ?? []));
  if (opts.checkpointDir) {
    callbacks.push(new ModelCheckpoint({
      dir: opts.checkpointDir, monitor: opts.valData ? 'val_loss' : 'loss',
      ...(opts.checkpointEvery !== undefined ? { everySteps: opts.checkpointEvery } : {}),
    }));
  }
  if (opts.verbose ?? !quietByDefault()) callbacks.push(new ProgressBar());
  const batchCallbacks = callbacks.filter(wantsBatchEvents);
  const stepCallbacks = callbacks.filter((c) => c.afterForward || c.afterLoss || c.afterBackward || c.beforeStep);
  const needsSampleLosses = callbacks.some((c) => c.needsSampleLosses === true);

  const ctx: CallbackContext = {
    model, optimizer, task, history, stopTraining: false, epochs: opts.epochs, stepsPerEpoch: train.length, globalStep,
    ...(schedule ? { schedule } : {}), trainData: train, precision, memoryFormat, ...(gradScaler ? { gradScaler } : {}),
  };
  const trainLogs: TrainLogs = { epochs: opts.epochs, initialEpoch: startEpoch, history };
  const penalised = hasPenalty(model);

  await dispatch(callbacks, 'onTrainBegin', ctx, trainLogs);
  for (let epoch = startEpoch; epoch < opts.epochs && !ctx.stopTraining; epoch++) {
    const started = performance.now();
    model.train();
    const lr = optimizer.paramGroups[0]!.lr;
    const firstBatch = epoch === startEpoch ? startBatch : 0;
    const sums = new EpochSums(device, task.createMetrics(device));
    if (firstBatch > 0 && resumedSums) sums.loadStateDict(resumedSums);
    let b = firstBatch;
    ctx.progress = { epoch, get batchesDone() { return b; }, sums: () => sums.stateDict() };
    try {
      train.setEpoch(epoch + 1);
      await dispatch(callbacks, 'onEpochBegin', ctx, epoch, { epoch, lr });
      for await (const raw of train.iterate(epoch, firstBatch)) {
        const n = raw.targets.shape[0]!;
        let stepLoss: Tensor | undefined;
        try {
          if (batchCallbacks.length) await dispatch(batchCallbacks, 'onBatchBegin', ctx, b, batchLogs(b, n, undefined, sums));
          tidy(() => {
            const data: StepBatch = {
              inputs: inModelFormat(raw.inputs.device === device ? raw.inputs : raw.inputs.to(device), model),
              targets: raw.targets.device === device ? raw.targets : raw.targets.to(device),
              indices: raw.indices,
            };
            const state: StepState = { epoch, batch: b, data, skipStep: false };
            optimizer.zeroGrad();
            state.outputs = asFloat32(inPrecision(precision.precision, device, () => task.forward(model, data)));
            dispatchStep(stepCallbacks, 'afterForward', state, ctx);
            if (needsSampleLosses) {
              state.sampleLosses = task.loss(state.outputs, data, 'none');
              state.loss = state.sampleLosses.mean();
            } else {
              state.loss = task.loss(state.outputs, data, 'mean');
            }
            dispatchStep(stepCallbacks, 'afterLoss', state, ctx);
            const objective = penalised ? state.loss.add(modelPenalty(model)) : state.loss;
            let overflowed = false;
            if (gradScaler) {
              gradScaler.scaleLoss(objective).backward();
              // Callbacks (clipping above all) see the true gradients; an overflow skips the update.
              overflowed = gradScaler.unscale(optimizer);
              if (overflowed) state.skipStep = true;
            } else {
              objective.backward();
            }
            dispatchStep(stepCallbacks, 'afterBackward', state, ctx);
            dispatchStep(stepCallbacks, 'beforeStep', state, ctx);
            if (!state.skipStep) optimizer.step();
            gradScaler?.update(overflowed);
            const detached = state.loss.detach();
            sums.add(detached, n);
            sums.metrics.update(state.outputs.detach(), data);
            if (batchCallbacks.length) stepLoss = keep(detached);
          });
          b++;
          ctx.globalStep++;
          if (batchCallbacks.length) await dispatch(batchCallbacks, 'onBatchEnd', ctx, b - 1, batchLogs(b - 1, n, stepLoss, sums));
        } finally {
          stepLoss?.dispose();
          raw.inputs.dispose();
          raw.targets.dispose();
        }
        if (ctx.stopTraining) break;
      }
      if (sums.seen === 0) throw new Error('fit: the training loader yielded no batches');
      const { loss, ...metrics } = sums.values();
      const logs: EpochLogs = { epoch, loss: loss!, ...metrics, lr, time_s: 0 };
      if (opts.valData) {
        const v = await evaluate(model, opts.valData, { task, device, precision: precision.precision });
        logs.val_loss = v.loss;
        for (const [k, x] of Object.entries(v.metrics)) logs[`val_${k}`] = x;
        ctx.validation = { epoch, yTrue: v.yTrue, yPred: v.yPred };
      }
      logs.time_s = (performance.now() - started) / 1000;
      history.epochs.push(logs);
      ctx.progress = { epoch: epoch + 1, batchesDone: 0, sums: () => ({}) };
      await dispatch(callbacks, 'onEpochEnd', ctx, epoch, logs);
    } finally {
      sums.dispose();
    }
  }
  delete ctx.progress;
  await dispatch(callbacks, 'onTrainEnd', ctx, trainLogs);
  return history;
}
