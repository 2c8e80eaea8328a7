// The callback contract (Keras/fastai style): hooks receive logs and a shared context;
// training stops when a callback sets ctx.stopTraining or throws StopTraining.
import type { Module } from '../nn/index.js';
import type { Optimizer, LRSchedule } from '../optim/index.js';
import type { DataLoader } from '../data/index.js';
import type { History, EpochLogs } from './history.js';

export interface CallbackContext {
  model: Module;
  optimizer: Optimizer;
  history: History;
  /** Set to true to stop after the current batch/epoch. */
  stopTraining: boolean;
  /** Total epochs fit() was asked for (the last epoch index is epochs - 1). */
  epochs: number;
  /** Batches in one training epoch. */
  stepsPerEpoch: number;
  schedule?: LRSchedule;
  trainData?: DataLoader;
}

/**
 * Per-batch logs. `loss` and `accuracy` are read back from the device only when a
 * callback reads them (each read is a synchronisation point), and only during the hook.
 */
export interface BatchLogs {
  batch: number;
  size: number;
  readonly loss: number;
  readonly accuracy: number;
}

export interface TrainLogs {
  epochs: number;
  initialEpoch: number;
  history?: History;
}

type Awaitable = void | Promise<void>;

export interface Callback {
  onTrainBegin?(logs: TrainLogs, ctx: CallbackContext): Awaitable;
  onTrainEnd?(logs: TrainLogs, ctx: CallbackContext): Awaitable;
  onEpochBegin?(epoch: number, logs: Partial<EpochLogs>, ctx: CallbackContext): Awaitable;
  onEpochEnd?(epoch: number, logs: EpochLogs, ctx: CallbackContext): Awaitable;
  onBatchBegin?(batch: number, logs: BatchLogs, ctx: CallbackContext): Awaitable;
  onBatchEnd?(batch: number, logs: BatchLogs, ctx: CallbackContext): Awaitable;
  /** Overrides whether the batch hooks are called (default: when the callback defines one). */
  wantsBatchEvents?: boolean;
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
