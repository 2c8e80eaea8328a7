// The callback contract (Keras/fastai style): hooks receive logs and a shared context;
// training stops when a callback sets ctx.stopTraining or throws StopTraining.
//
// Epoch and batch hooks may be async. The step hooks (afterForward, afterLoss,
// afterBackward, beforeStep) run synchronously inside the step's memory scope, between
// the phases of one batch, and may change the step through the StepState they receive:
// replace the loss (per-sample weighting), clip or inspect gradients, skip the update.
import type { Tensor } from '../torch/index.js';
import type { Module } from '../nn/index.js';
import type { Optimizer, LRSchedule } from '../optim/index.js';
import type { DataLoader } from '../data/index.js';
import type { History, EpochLogs } from './history.js';
import type { Task, StepBatch } from './task.js';
import type { PrecisionChoice } from './precision.js';
import type { MemoryFormatChoice } from './memory-format.js';
import type { GradScaler } from './grad-scaler.js';

/** Where training stands inside an epoch, with the epoch's running sums (for checkpoints). */
export interface EpochProgress {
  epoch: number;
  /** Batches of this epoch already trained on. */
  batchesDone: number;
  /** Running sums of the loop and of the task's metrics; reading them synchronises the device. */
  sums(): Record<string, number>;
}

export interface CallbackContext {
  model: Module;
  optimizer: Optimizer;
  task: Task;
  history: History;
  /** Set to true to stop after the current batch/epoch. */
  stopTraining: boolean;
  /** Total epochs fit() was asked for (the last epoch index is epochs - 1). */
  epochs: number;
  /** Batches in one training epoch. */
  stepsPerEpoch: number;
  /** Optimizer updates made so far, counted across epochs (and across a resume). */
  globalStep: number;
  schedule?: LRSchedule;
  trainData?: DataLoader;
  /** Set while an epoch runs. */
  progress?: EpochProgress;
  /** The precision the steps run in, and why it was chosen. */
  precision?: PrecisionChoice;
  /** The memory format of the model and its inputs, and why. */
  memoryFormat?: MemoryFormatChoice;
  /** The loss scaler, with fp16 mixed precision. */
  gradScaler?: GradScaler;
  /** The last validation pass's true and predicted classes (empty for tasks without labels). */
  validation?: { epoch: number; yTrue: Int32Array; yPred: Int32Array };
}

/**
 * Per-batch logs. `loss` is read back from the device only when a callback reads it
 * (each read is a synchronisation point), and only during the hook; `running()` gives the
 * epoch's loss and task metrics so far (another read-back).
 */
export interface BatchLogs {
  batch: number;
  size: number;
  readonly loss: number;
  running(): Record<string, number>;
}

export interface TrainLogs {
  epochs: number;
  initialEpoch: number;
  history?: History;
}

/** One training step as the step hooks see it. Tensors belong to the step's scope. */
export interface StepState {
  readonly epoch: number;
  readonly batch: number;
  readonly data: StepBatch;
  /** The task's outputs; set after the forward pass (afterForward may replace them). */
  outputs?: Tensor;
  /** One loss per sample [N], computed when some callback sets `needsSampleLosses`. */
  sampleLosses?: Tensor;
  /** The objective backward() is called on (afterLoss may replace it). */
  loss?: Tensor;
  /** Set in afterBackward or beforeStep to skip this batch's optimizer update. */
  skipStep: boolean;
}

type Awaitable = void | Promise<void>;

export interface Callback {
  onTrainBegin?(logs: TrainLogs, ctx: CallbackContext): Awaitable;
  onTrainEnd?(logs: TrainLogs, ctx: CallbackContext): Awaitable;
  onEpochBegin?(epoch: number, logs: Partial<EpochLogs>, ctx: CallbackContext): Awaitable;
  onEpochEnd?(epoch: number, logs: EpochLogs, ctx: CallbackContext): Awaitable;
  onBatchBegin?(batch: number, logs: BatchLogs, ctx: CallbackContext): Awaitable;
  onBatchEnd?(batch: number, logs: BatchLogs, ctx: CallbackContext): Awaitable;
  afterForward?(state: StepState, ctx: CallbackContext): void;
  afterLoss?(state: StepState, ctx: CallbackContext): void;
  afterBackward?(state: StepState, ctx: CallbackContext): void;
  beforeStep?(state: StepState, ctx: CallbackContext): void;
  /** Overrides whether the batch hooks are called (default: when the callback defines one). */
  wantsBatchEvents?: boolean;
  /** Ask the loop for per-sample losses (state.sampleLosses) in afterLoss. */
  needsSampleLosses?: boolean;
}

/** Thrown from a callback to end training cleanly (onTrainEnd still runs, fit() resolves). */
export class StopTraining extends Error {
  constructor(message = 'training stopped by a callback') {
    super(message);
    this.name = 'StopTraining';
  }
}

export function wantsBatchEvents(cb: Callback): boolean {
  if (cb.wantsBatchEvents !== undefined) return cb.wantsBatchEvents;
  return typeof cb.onBatchBegin === 'function' || typeof cb.onBatchEnd === 'function';
}
