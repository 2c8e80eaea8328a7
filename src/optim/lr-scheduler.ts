// Learning-rate schedules, as torch.optim.lr_scheduler: a schedule owns an optimizer's
// learning rates and moves them on each step(). Construction performs the first step
// (epoch 0), as in PyTorch, so the optimizer starts at the schedule's first value.
// Rules are PyTorch's chainable forms: each value is computed from the current one,
// so the sequences match PyTorch's to the last bit.
import type { Tensor } from '../torch/index.js';
import { Optimizer, type ParamGroup } from './optimizer.js';

/** When a training loop should call step(): after every epoch or after every batch. */
export type StepInterval = 'epoch' | 'batch';

/** What every schedule offers. */
export interface LRSchedule {
  readonly optimizer: Optimizer<ParamGroup>;
  /** Where a training loop should step this schedule (OneCycleLR and warm-up: per batch). */
  interval: StepInterval;
  /**
   * Advances the schedule by one epoch (or batch). ReduceLROnPlateau needs the
   * monitored metric (a number or a one-element tensor, e.g. the validation loss) and
   * throws without one; the other schedules take no argument.
   */
  step(metric?: number | Tensor): void;
  getLastLr(): number[];
  stateDict(): Record<string, unknown>;
  loadStateDict(sd: Record<string, unknown>): void;
}

export abstract class LRScheduler implements LRSchedule {
  readonly optimizer: Optimizer<ParamGroup>;
  interval: StepInterval = 'epoch';
  /** Each group's learning rate when the schedule started (`initialLr` in the group). */
  baseLrs: number[];
  /** Index of the current epoch (or batch): 0 after construction. */
  lastEpoch = -1;
  stepCount = 0;
  protected lastLr: number[] = [];

  constructor(optimizer: Optimizer<ParamGroup>) {
    if (!(optimizer instanceof Optimizer)) {
      throw new TypeError(`${this.constructor.name}: expected an Optimizer, got ${optimizer === null ? 'null' : typeof optimizer}`);
    }
    this.optimizer = optimizer;
    for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** Each group's next learning rate, from the current ones (PyTorch's get_lr). */
  protected abstract computeLr(): number[];
  /** The learning rates at lastEpoch computed directly, for schedules that have such a form. */
  protected closedFormLr(): number[] | undefined { return undefined; }

  /**
   * Starts the schedule at epoch 0. Subclass constructors call it last, once their own
   * settings are in place; SequentialLR calls it to restart its first schedule.
   */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances one epoch (or batch). */
  step(): void {
    this.lastEpoch++;
    this.apply(this.computeLr());
  }

  /**
   * Jumps to `epoch`, using the closed form where one exists (SequentialLR uses this at
   * its milestones to restart a schedule at 0).
   */
  stepTo(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`${this.constructor.name}.stepTo: epoch must be a non-negative integer, got ${epoch}`);
    this.lastEpoch = epoch;
    this.apply(this.closedFormLr() ?? this.computeLr());
  }

  private apply(values: number[]): void {
    this.stepCount++;
    const groups = this.optimizer.paramGroups;
    groups.forEach((g, i) => { g.lr = values[i]!; });
    this.lastLr = groups.map((g) => g.lr);
  }

  /** The learning rate of each group as last set by this schedule. */
  getLastLr(): number[] { return [...this.lastLr]; }

  protected get groups(): ParamGroup[] { return this.optimizer.paramGroups; }

  /** The schedule's own fields (not the optimizer's), as PyTorch's state_dict. */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) {
      if (k !== 'optimizer' && typeof v !== 'function') out[k] = plainCopy(v);
    }
    return out;
  }

  loadStateDict(sd: Record<string, unknown>): void {
    if (sd === null || typeof sd !== 'object') throw new TypeError(`${this.constructor.name}.loadStateDict: expected an object`);
    const unknown = Object.keys(sd).filter((k) => k === 'optimizer' || !Object.prototype.hasOwnProperty.call(this, k));
    if (unknown.length) throw new Error(`${this.constructor.name}.loadStateDict: unexpected key(s) ${unknown.join(', ')}`);
    assignState(this, sd);
  }
}

/** Copies saved fields onto a schedule (keys already checked against its own). */
export function assignState(target: object, sd: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(sd)) Reflect.set(target, k, plainCopy(v));
}

/** A deep copy of numbers, strings, arrays and plain objects, so saved state does not alias live state. */
export function plainCopy<T>(v: T): T {
  if (Array.isArray(v)) return v.map(plainCopy) as T;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainCopy(x)])) as T;
  }
  return v;
}

export function checkPerGroup<T>(name: string, what: string, value: T | T[], groups: number): T[] {
  if (!Array.isArray(value)) return new Array<T>(groups).fill(value);
  if (value.length !== groups) throw new Error(`${name}: expected ${groups} value(s) for ${what} (one per parameter group), got ${value.length}`);
  return [...value];
}

/** Multiplies each group's initial learning rate by fn(epoch), as torch.optim.lr_scheduler.LambdaLR. */
export class LambdaLR extends LRScheduler {
  private readonly lrLambdas: ((epoch: number) => number)[];

  /** One function for every group, or one per group. */
  constructor(optimizer: Optimizer<ParamGroup>, lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[]) {
    super(optimizer);
    this.lrLambdas = checkPerGroup('LambdaLR', 'lrLambda', lrLambda, optimizer.paramGroups.length);
    this.lrLambdas.forEach((f, i) => {
      if (typeof f !== 'function') throw new TypeError(`LambdaLR: lrLambda[${i}] is ${typeof f}, expected a function of the epoch`);
    });
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }

  /** Functions are not state: they are given again to the constructor when resuming. */
  override stateDict(): Record<string, unknown> {
    const sd = super.stateDict();
    delete sd.lrLambdas;
    return sd;
  }
}
