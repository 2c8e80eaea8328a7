// Step decays: multiply the learning rate by gamma every stepSize epochs (StepLR) or at
// given epochs (MultiStepLR), as torch.optim.lr_scheduler.
import type { Optimizer, ParamGroup } from './optimizer.js';
import { LRScheduler } from './lr-scheduler.js';

export interface StepLROptions { stepSize: number; gamma?: number }

export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: Optimizer<ParamGroup>, opts: StepLROptions) {
    super(optimizer);
    if (!Number.isInteger(opts?.stepSize) || opts.stepSize < 1) throw new RangeError(`StepLR: stepSize must be a positive integer, got ${opts?.stepSize}`);
    this.stepSize = opts.stepSize;
    this.gamma = opts.gamma ?? 0.1;
    this.initialStep();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

export interface MultiStepLROptions { milestones: number[]; gamma?: number }

export class MultiStepLR extends LRScheduler {
  /** Sorted; a milestone listed twice decays twice. */
  milestones: number[];
  gamma: number;

  constructor(optimizer: Optimizer<ParamGroup>, opts: MultiStepLROptions) {
    super(optimizer);
    if (!Array.isArray(opts?.milestones) || opts.milestones.some((m) => !Number.isInteger(m))) {
      throw new TypeError(`MultiStepLR: milestones must be an array of integer epochs, got ${JSON.stringify(opts?.milestones)}`);
    }
    this.milestones = [...opts.milestones].sort((a, b) => a - b);
    this.gamma = opts.gamma ?? 0.1;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** hits);
  }

  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((base) => base * this.gamma ** passed);
  }
}
