// Stops training when a monitored value has not improved for `patience` epochs, as
// Keras' EarlyStopping; optionally puts the best epoch's weights back at the end.
import type { Tensor } from '../../torch/index.js';
import type { Callback, CallbackContext } from '../callback.js';
import { type EpochLogs, type MonitorMode, resolveMode, improves } from '../history.js';
import { snapshotWeights, restoreWeights, disposeSnapshot } from '../weights-snapshot.js';
import { monitoredValue } from './monitor.js';

export interface EarlyStoppingOptions {
  monitor?: string;
  mode?: MonitorMode;
  /** Epochs without improvement tolerated before stopping. */
  patience?: number;
  /** An improvement must beat the best value by more than this. */
  minDelta?: number;
  restoreBestWeights?: boolean;
}

export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
  best: number | undefined;
  bestEpoch = -1;
  /** Epoch index after which training was stopped; -1 when it ran to the end. */
  stoppedEpoch = -1;
  private wait = 0;
  private bestWeights: Map<string, Tensor> | undefined;

  constructor(opts: EarlyStoppingOptions = {}) {
    this.monitor = opts.monitor ?? 'val_loss';
    this.mode = resolveMode(this.monitor, opts.mode ?? 'auto');
    this.patience = opts.patience ?? 5;
    this.minDelta = Math.abs(opts.minDelta ?? 0);
    this.restoreBestWeights = opts.restoreBestWeights ?? false;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new RangeError(`EarlyStopping: patience must be a non-negative integer, got ${opts.patience}`);
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.best = undefined;
    this.bestEpoch = -1;
    this.stoppedEpoch = -1;
    disposeSnapshot(this.bestWeights);
    this.bestWeights = undefined;
  }

  onEpochEnd(epoch: number, logs: EpochLogs, ctx: CallbackContext): void {
    const value = monitoredValue('EarlyStopping', this.monitor, logs);
    if (value === undefined) return;
    if (improves(value, this.best, this.mode, this.minDelta)) {
      this.best = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) {
        disposeSnapshot(this.bestWeights);
        this.bestWeights = snapshotWeights(ctx.model);
      }
      return;
    }
    this.wait++;
    if (this.wait >= this.patience) {
      this.stoppedEpoch = epoch;
      ctx.stopTraining = true;
    }
  }

  onTrainEnd(_logs: unknown, ctx: CallbackContext): void {
    if (this.bestWeights) {
      if (this.restoreBestWeights && ctx.history.last?.epoch !== this.bestEpoch) restoreWeights(ctx.model, this.bestWeights);
      disposeSnapshot(this.bestWeights);
      this.bestWeights = undefined;
    }
  }
}
