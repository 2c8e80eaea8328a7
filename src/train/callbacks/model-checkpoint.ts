// Saves the best weights (best.safetensors, a plain state dict any tool can load) and the
// full training state after every epoch (last.ckpt, for resuming), both atomically; with
// everySteps, last.ckpt is also written every N optimizer steps, at the batch where
// training stands, so a run killed mid-epoch loses at most N steps.
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { saveSafetensors } from '../../torch/index.js';
import type { Callback, CallbackContext } from '../callback.js';
import { type EpochLogs, type MonitorMode, resolveMode, improves } from '../history.js';
import { saveCheckpoint } from '../checkpoint.js';
import { monitoredValue } from './monitor.js';

export interface ModelCheckpointOptions {
  dir: string;
  monitor?: string;
  mode?: MonitorMode;
  saveBest?: boolean;
  saveLast?: boolean;
  /** Also write last.ckpt after every this many optimizer steps. */
  everySteps?: number;
}

export class ModelCheckpoint implements Callback {
  readonly dir: string;
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly saveBest: boolean;
  readonly saveLast: boolean;
  readonly everySteps: number | undefined;
  readonly wantsBatchEvents: boolean;
  best: number | undefined;
  bestEpoch = -1;

  constructor(opts: ModelCheckpointOptions) {
    if (!opts || typeof opts.dir !== 'string' || opts.dir === '') throw new TypeError('ModelCheckpoint: dir (the directory to write into) is required');
    this.dir = opts.dir;
    this.monitor = opts.monitor ?? 'val_loss';
    this.mode = resolveMode(this.monitor, opts.mode ?? 'auto');
    this.saveBest = opts.saveBest ?? true;
    this.saveLast = opts.saveLast ?? true;
    if (opts.everySteps !== undefined && (!Number.isInteger(opts.everySteps) || opts.everySteps <= 0)) {
      throw new RangeError(`ModelCheckpoint: everySteps must be a positive integer, got ${opts.everySteps}`);
    }
    this.everySteps = opts.everySteps;
    this.wantsBatchEvents = this.everySteps !== undefined && this.saveLast;
  }

  get bestPath(): string { return path.join(this.dir, 'best.safetensors'); }
  get lastPath(): string { return path.join(this.dir, 'last.ckpt'); }

  async onTrainBegin(_logs: unknown, ctx: CallbackContext): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // A resumed run continues the comparison from where the earlier run stood.
    const prior = ctx.history.best(this.monitor, this.mode);
    this.best = prior?.value;
    this.bestEpoch = prior?.epoch ?? -1;
  }

  async onEpochEnd(epoch: number, logs: EpochLogs, ctx: CallbackContext): Promise<void> {
    if (this.saveBest) {
      const value = monitoredValue('ModelCheckpoint', this.monitor, logs);
      if (value !== undefined && improves(value, this.best, this.mode)) {
        this.best = value;
        this.bestEpoch = epoch;
        await saveSafetensors(this.bestPath, ctx.model.stateDict(), { epoch: String(epoch), monitor: this.monitor, value: String(value) });
      }
    }
    if (this.saveLast) await this.saveLastCheckpoint(ctx);
  }

  async onBatchEnd(_batch: number, _logs: unknown, ctx: CallbackContext): Promise<void> {
    if (this.everySteps !== undefined && ctx.globalStep % this.everySteps === 0 && ctx.progress) {
      // The last batch of an epoch is saved by onEpochEnd, with the epoch's logs.
      if (ctx.progress.batchesDone < ctx.stepsPerEpoch) await this.saveLastCheckpoint(ctx);
    }
  }

  private async saveLastCheckpoint(ctx: CallbackContext): Promise<void> {
    const p = ctx.progress;
    await saveCheckpoint(this.lastPath, {
      model: ctx.model, optimizer: ctx.optimizer, history: ctx.history, globalStep: ctx.globalStep,
      epoch: p?.epoch ?? ctx.history.length,
      ...(p && p.batchesDone > 0 ? { batchesDone: p.batchesDone, epochSums: p.sums() } : {}),
      ...(ctx.schedule ? { schedule: ctx.schedule } : {}), ...(ctx.trainData ? { loader: ctx.trainData } : {}),
      ...(ctx.gradScaler ? { gradScaler: ctx.gradScaler } : {}),
    });
  }
}
