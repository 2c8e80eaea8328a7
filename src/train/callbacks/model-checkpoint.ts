// Saves the best weights (best.safetensors, a plain state dict any tool can load) and the
// full training state after every epoch (last.ckpt, for resuming), both atomically.
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
}

export class ModelCheckpoint implements Callback {
  readonly dir: string;
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly saveBest: boolean;
  readonly saveLast: boolean;
  best: number | undefined;
  bestEpoch = -1;

  constructor(opts: ModelCheckpointOptions) {
    if (!opts || typeof opts.dir !== 'string' || opts.dir === '') throw new TypeError('ModelCheckpoint: dir (the directory to write into) is required');
    this.dir = opts.dir;
    this.monitor = opts.monitor ?? 'val_loss';
    this.mode = resolveMode(this.monitor, opts.mode ?? 'auto');
    this.saveBest = opts.saveBest ?? true;
    this.saveLast = opts.saveLast ?? true;
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
    if (this.saveLast) {
      await saveCheckpoint(this.lastPath, {
        model: ctx.model, optimizer: ctx.optimizer, epoch: epoch + 1, history: ctx.history,
        ...(ctx.schedule ? { schedule: ctx.schedule } : {}), ...(ctx.trainData ? { loader: ctx.trainData } : {}),
      });
    }
  }
}
