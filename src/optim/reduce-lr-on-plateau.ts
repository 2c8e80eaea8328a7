// Cuts the learning rate when a monitored metric stops improving, as
// torch.optim.lr_scheduler.ReduceLROnPlateau. step(metric) is called once per epoch
// with, e.g., the validation loss.
import { Tensor } from '../torch/index.js';
import type { Optimizer, ParamGroup } from './optimizer.js';
import { assignState, checkPerGroup, plainCopy, type LRSchedule, type StepInterval } from './lr-scheduler.js';

export interface ReduceLROnPlateauOptions {
  /** 'min': lower is better (a loss); 'max': higher is better (an accuracy). */
  mode?: 'min' | 'max';
  /** new lr = lr * factor. Default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before cutting. Default 10. */
  patience?: number;
  /** How much better a value must be to count as an improvement. Default 1e-4. */
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a cut before counting bad epochs again. */
  cooldown?: number;
  /** Lower bound, one for all groups or one per group. */
  minLr?: number | number[];
  /** Cuts smaller than this are skipped. Default 1e-8. */
  eps?: number;
}

export class ReduceLROnPlateau implements LRSchedule {
  readonly optimizer: Optimizer<ParamGroup>;
  interval: StepInterval = 'epoch';
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLrs: number[];
  eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer<ParamGroup>, opts: ReduceLROnPlateauOptions = {}) {
    this.optimizer = optimizer;
    this.mode = opts.mode ?? 'min';
    this.factor = opts.factor ?? 0.1;
    this.patience = opts.patience ?? 10;
    this.threshold = opts.threshold ?? 1e-4;
    this.thresholdMode = opts.thresholdMode ?? 'rel';
    this.cooldown = opts.cooldown ?? 0;
    this.minLrs = checkPerGroup('ReduceLROnPlateau', 'minLr', opts.minLr ?? 0, optimizer.paramGroups.length);
    this.eps = opts.eps ?? 1e-8;
    if (!(this.factor < 1)) throw new RangeError(`ReduceLROnPlateau: factor must be < 1, got ${this.factor}`);
    if (this.mode !== 'min' && this.mode !== 'max') throw new Error(`ReduceLROnPlateau: mode must be 'min' or 'max', got '${String(this.mode)}'`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') throw new Error(`ReduceLROnPlateau: thresholdMode must be 'rel' or 'abs', got '${String(this.thresholdMode)}'`);
    this.best = this.worst();
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private worst(): number { return this.mode === 'min' ? Infinity : -Infinity; }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  get inCooldown(): boolean { return this.cooldownCounter > 0; }

  /** Records one epoch's metric (a number or a one-element tensor) and cuts the rate if it has plateaued. */
  step(metric: number | Tensor): void {
    if (metric === undefined || metric === null) {
      throw new TypeError(`ReduceLROnPlateau.step: needs the monitored metric (e.g. step(valLoss) once per epoch), got ${String(metric)}`);
    }
    const current = metric instanceof Tensor ? metric.item() : Number(metric);
    if (Number.isNaN(current)) throw new TypeError(`ReduceLROnPlateau.step: the metric must be a number or a one-element tensor, got ${String(metric)}`);
    this.lastEpoch++;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.inCooldown) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const newLr = Math.max(g.lr * this.factor, this.minLrs[i]!);
      if (g.lr - newLr > this.eps) g.lr = newLr;
    });
  }

  getLastLr(): number[] { return [...this.lastLr]; }

  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) if (k !== 'optimizer') out[k] = plainCopy(v);
    return out;
  }

  loadStateDict(sd: Record<string, unknown>): void {
    const unknown = Object.keys(sd ?? {}).filter((k) => k === 'optimizer' || !Object.prototype.hasOwnProperty.call(this, k));
    if (unknown.length) throw new Error(`ReduceLROnPlateau.loadStateDict: unexpected key(s) ${unknown.join(', ')}`);
    assignState(this, sd);
  }
}
