// Cosine annealing from the initial learning rate down to etaMin over tMax epochs (and
// back up over the next tMax, as PyTorch's recursive form does when stepped further).
import type { Optimizer, ParamGroup } from './optimizer.js';
import { LRScheduler } from './lr-scheduler.js';

export interface CosineAnnealingLROptions { tMax: number; etaMin?: number }

export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: Optimizer<ParamGroup>, opts: CosineAnnealingLROptions) {
    super(optimizer);
    if (!(typeof opts?.tMax === 'number' && opts.tMax > 0)) throw new RangeError(`CosineAnnealingLR: tMax must be a positive number of epochs, got ${opts?.tMax}`);
    this.tMax = opts.tMax;
    this.etaMin = opts.etaMin ?? 0;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: e, tMax, etaMin } = this;
    if (e === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((base) => etaMin + (base - etaMin) * (1 + Math.cos(e * Math.PI / tMax)) / 2);
    }
    if ((e - 1 - tMax) % (2 * tMax) === 0) {
      return this.groups.map((g, i) => g.lr + (this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2);
    }
    return this.groups.map((g) =>
      (1 + Math.cos(Math.PI * e / tMax)) / (1 + Math.cos(Math.PI * (e - 1) / tMax)) * (g.lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + (base - this.etaMin) * (1 + Math.cos(Math.PI * this.lastEpoch / this.tMax)) / 2);
  }
}
