// Linear ramps of the learning rate: LinearLR (as torch.optim.lr_scheduler.LinearLR)
// and LinearWarmup, its usual use: start at a fraction of the learning rate and reach
// the full rate after warmupSteps steps.
import type { Optimizer, ParamGroup } from './optimizer.js';
import { LRScheduler, type StepInterval } from './lr-scheduler.js';

export interface LinearLROptions {
  /** Factor on the learning rate at epoch 0, in (0, 1]. Default 1/3. */
  startFactor?: number;
  /** Factor reached after totalIters epochs, in [0, 1]. Default 1. */
  endFactor?: number;
  totalIters?: number;
}

export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: Optimizer<ParamGroup>, opts: LinearLROptions = {}) {
    super(optimizer);
    const name = this.constructor.name;
    this.startFactor = opts.startFactor ?? 1 / 3;
    this.endFactor = opts.endFactor ?? 1;
    this.totalIters = opts.totalIters ?? 5;
    // A start factor of 0 would make PyTorch's chainable form divide by zero.
    if (!(this.startFactor > 0 && this.startFactor <= 1)) throw new RangeError(`${name}: startFactor must be in (0, 1], got ${this.startFactor}`);
    if (!(this.endFactor >= 0 && this.endFactor <= 1)) throw new RangeError(`${name}: endFactor must be in [0, 1], got ${this.endFactor}`);
    if (!Number.isInteger(this.totalIters) || this.totalIters < 1) throw new RangeError(`${name}: the number of steps must be a positive integer, got ${this.totalIters}`);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: n } = this;
    if (e === 0) return this.groups.map((g) => g.lr * s);
    if (e > n) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: f, totalIters: n } = this;
    return this.baseLrs.map((base) => base * (s + (f - s) * Math.min(n, this.lastEpoch) / n));
  }
}

export interface LinearWarmupOptions {
  warmupSteps: number;
  /** Factor on the learning rate at the first step, in (0, 1]. Default 1/3, as LinearLR. */
  startFactor?: number;
  /** Warm-up is usually counted in batches; default 'batch'. */
  interval?: StepInterval;
}

/** LinearLR from startFactor to 1 over warmupSteps steps; afterwards the learning rate stays put. */
export class LinearWarmup extends LinearLR {
  constructor(optimizer: Optimizer<ParamGroup>, opts: LinearWarmupOptions) {
    if (opts === undefined || opts.warmupSteps === undefined) throw new Error('LinearWarmup: warmupSteps is required');
    super(optimizer, { startFactor: opts.startFactor, endFactor: 1, totalIters: opts.warmupSteps });
    this.interval = opts.interval ?? 'batch';
  }
}
