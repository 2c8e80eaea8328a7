// Per-epoch training logs and the queries callbacks and reports make of them.
import type { HistoryEntry } from './report/charts.js';

/**
 * What one epoch recorded. `epoch` is the 0-based index of the epoch (shown to people as
 * epoch + 1). Besides the loss, the task's metrics appear under their names (`accuracy`
 * for classification), and validation values under the same names prefixed with 'val_'.
 */
export interface EpochLogs {
  epoch: number;
  loss: number;
  accuracy?: number;
  val_loss?: number;
  val_accuracy?: number;
  /** Learning rate (first parameter group) the epoch trained with. */
  lr: number;
  time_s: number;
  /** Callbacks may add their own numbers. */
  [extra: string]: number | undefined;
}

export type MonitorMode = 'min' | 'max' | 'auto';

/** 'auto' reads accuracies (and anything named like a score) as higher-is-better, everything else as lower-is-better. */
export function resolveMode(monitor: string, mode: MonitorMode = 'auto'): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  if (mode !== 'auto') throw new RangeError(`mode must be 'min', 'max' or 'auto', got '${String(mode)}'`);
  return /acc|f1|precision|recall|auc|iou|score|psnr|ssim/i.test(monitor) ? 'max' : 'min';
}

/** True when `value` beats `best` by more than minDelta in the given direction. */
export function improves(value: number, best: number | undefined, mode: 'min' | 'max', minDelta = 0): boolean {
  if (!Number.isFinite(value)) return false;
  if (best === undefined || !Number.isFinite(best)) return true;
  return mode === 'min' ? value < best - minDelta : value > best + minDelta;
}

export class History {
  readonly epochs: EpochLogs[];

  constructor(epochs: EpochLogs[] = []) {
    this.epochs = epochs.map((e) => ({ ...e }));
  }

  get length(): number { return this.epochs.length; }
  get last(): EpochLogs | undefined { return this.epochs[this.epochs.length - 1]; }

  /** The values of one key, epoch by epoch (undefined where an epoch did not record it). */
  series(key: string): (number | undefined)[] {
    return this.epochs.map((e) => e[key]);
  }

  /** The epoch with the best value of `monitor`; undefined when no epoch recorded a finite value. */
  best(monitor: string, mode: MonitorMode = 'auto'): { epoch: number; value: number; logs: EpochLogs } | undefined {
    const dir = resolveMode(monitor, mode);
    let found: EpochLogs | undefined;
    for (const e of this.epochs) {
      const v = e[monitor];
      if (typeof v === 'number' && improves(v, found?.[monitor], dir)) found = e;
    }
    return found ? { epoch: found.epoch, value: found[monitor]!, logs: found } : undefined;
  }

  toJSON(): { epochs: EpochLogs[] } { return { epochs: this.epochs }; }

  static from(value: unknown, where = 'History.from'): History {
    const epochs = (value as { epochs?: unknown })?.epochs ?? value;
    if (!Array.isArray(epochs)) throw new TypeError(`${where}: expected { epochs: [...] } or an array of epoch logs`);
    epochs.forEach((e, i) => {
      if (e === null || typeof e !== 'object' || typeof (e as EpochLogs).epoch !== 'number') {
        throw new TypeError(`${where}: epochs[${i}] has no numeric 'epoch'`);
      }
    });
    return new History(epochs as EpochLogs[]);
  }
}

/**
 * The history in the report's chart format (epochs counted from 1): the loss and the
 * task's metrics (by name, as the task lists them), training and validation.
 */
export function historyForCharts(history: History, metricNames: readonly string[] = ['accuracy']): HistoryEntry[] {
  const others = metricNames.filter((m) => m !== 'accuracy');
  return history.epochs.map((e) => {
    const metrics: Record<string, { train?: number; val?: number }> = {};
    for (const m of others) {
      const train = e[m], val = e[`val_${m}`];
      if (train !== undefined || val !== undefined) metrics[m] = { ...(train !== undefined ? { train } : {}), ...(val !== undefined ? { val } : {}) };
    }
    return {
      epoch: e.epoch + 1,
      trainLoss: e.loss,
      ...(e.val_loss !== undefined ? { valLoss: e.val_loss } : {}),
      ...(metricNames.includes('accuracy') && e.accuracy !== undefined && Number.isFinite(e.accuracy) ? { trainAcc: e.accuracy } : {}),
      ...(metricNames.includes('accuracy') && e.val_accuracy !== undefined ? { valAcc: e.val_accuracy } : {}),
      ...(Object.keys(metrics).length ? { metrics } : {}),
    };
  });
}
