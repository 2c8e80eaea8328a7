// Runs schedules one after another, switching at milestone epochs (as
// torch.optim.lr_scheduler.SequentialLR): e.g. a linear warm-up for 5 epochs, then
// cosine annealing. Each later schedule starts from its epoch 0 at its milestone.
import type { Optimizer, ParamGroup } from './optimizer.js';
import { LRScheduler, plainCopy, type LRSchedule, type StepInterval } from './lr-scheduler.js';

export interface SequentialLROptions {
  schedulers: LRScheduler[];
  /** Epochs at which to switch to the next schedule: one fewer than there are schedules. */
  milestones: number[];
  /** Default: the first schedule's. */
  interval?: StepInterval;
}

export class SequentialLR implements LRSchedule {
  readonly optimizer: Optimizer<ParamGroup>;
  interval: StepInterval;
  private readonly schedulers: LRScheduler[];
  private milestones: number[];
  private lastEpoch: number;
  private lastLr: number[];

  constructor(optimizer: Optimizer<ParamGroup>, opts: SequentialLROptions) {
    const { schedulers, milestones } = opts ?? ({} as SequentialLROptions);
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new Error('SequentialLR: schedulers must be a non-empty array');
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) throw new TypeError(`SequentialLR: schedulers[${i}] is not an LRScheduler (SequentialLR cannot nest, and ReduceLROnPlateau needs a metric)`);
      if (s.optimizer !== optimizer) throw new Error(`SequentialLR: schedulers[${i}] belongs to a different optimizer`);
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new Error(`SequentialLR: expected ${schedulers.length - 1} milestone(s) for ${schedulers.length} schedulers, got ${Array.isArray(milestones) ? milestones.length : String(milestones)}`);
    }
    milestones.forEach((m, i) => {
      if (!Number.isInteger(m) || (i > 0 && m < milestones[i - 1]!)) throw new Error(`SequentialLR: milestones must be increasing integers, got ${JSON.stringify(milestones)}`);
    });
    this.optimizer = optimizer;
    this.schedulers = schedulers;
    this.milestones = [...milestones];
    this.interval = opts.interval ?? schedulers[0]!.interval;
    this.lastEpoch = 0;

    // Undo the first step each schedule took when it was made, then start the first one afresh.
    for (const g of optimizer.paramGroups) g.lr = g.initialLr!;
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0]!.initialStep();
    this.lastLr = schedulers[0]!.getLastLr();
  }

  step(): void {
    this.lastEpoch++;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const scheduler = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler.stepTo(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  getLastLr(): number[] { return [...this.lastLr]; }

  stateDict(): Record<string, unknown> {
    return {
      lastEpoch: this.lastEpoch,
      milestones: [...this.milestones],
      lastLr: [...this.lastLr],
      interval: this.interval,
      schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  loadStateDict(sd: Record<string, unknown>): void {
    const saved = sd?.schedulers;
    if (!Array.isArray(saved) || saved.length !== this.schedulers.length) {
      throw new Error(`SequentialLR.loadStateDict: expected state for ${this.schedulers.length} schedulers, got ${Array.isArray(saved) ? saved.length : 'none'}`);
    }
    const { lastEpoch, milestones, lastLr, interval } = sd;
    const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
    if (typeof lastEpoch !== 'number' || !numbers(milestones) || !numbers(lastLr)) {
      throw new TypeError('SequentialLR.loadStateDict: expected numbers lastEpoch, milestones and lastLr');
    }
    if (interval !== undefined && interval !== 'epoch' && interval !== 'batch') {
      throw new TypeError(`SequentialLR.loadStateDict: interval must be 'epoch' or 'batch', got ${String(interval)}`);
    }
    this.lastEpoch = lastEpoch;
    this.milestones = plainCopy(milestones);
    this.lastLr = plainCopy(lastLr);
    if (interval !== undefined) this.interval = interval;
    saved.forEach((s: Record<string, unknown>, i) => this.schedulers[i]!.loadStateDict(s));
  }
}
