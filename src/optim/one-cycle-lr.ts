// The 1cycle policy (torch.optim.lr_scheduler.OneCycleLR): the learning rate rises from
// maxLr/divFactor to maxLr, then anneals far below the start; momentum (or Adam's beta1)
// moves the opposite way. Stepped after every batch.
import type { Optimizer, ParamGroup } from './optimizer.js';
import { LRScheduler, checkPerGroup } from './lr-scheduler.js';

export interface OneCycleLROptions {
  /** Peak learning rate, one for all groups or one per group. */
  maxLr: number | number[];
  /** Total number of steps in the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the learning rate. Default 0.3. */
  pctStart?: number;
  anneal?: 'cos' | 'linear';
  /** Cycle momentum (SGD, RMSprop) or beta1 (Adam, AdamW) inversely to the learning rate. Default true. */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  /** A third phase annihilates the rate (the original paper's schedule) instead of the fastai two-phase one. */
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: 'initialLr' | 'maxLr' | 'minLr';
  endLr: 'initialLr' | 'maxLr' | 'minLr';
  startMomentum: 'maxMomentum' | 'baseMomentum';
  endMomentum: 'maxMomentum' | 'baseMomentum';
}

export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  anneal: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1: boolean;
  phases: Phase[];

  constructor(optimizer: Optimizer<ParamGroup>, opts: OneCycleLROptions) {
    super(optimizer);
    this.interval = 'batch';
    const n = optimizer.paramGroups.length;
    const o = opts ?? ({} as OneCycleLROptions);
    this.totalSteps = resolveTotalSteps(o);
    const pctStart = o.pctStart ?? 0.3;
    if (!(typeof pctStart === 'number' && pctStart >= 0 && pctStart <= 1)) throw new RangeError(`OneCycleLR: pctStart must be in [0, 1], got ${pctStart}`);
    this.anneal = o.anneal ?? 'cos';
    if (this.anneal !== 'cos' && this.anneal !== 'linear') throw new Error(`OneCycleLR: anneal must be 'cos' or 'linear', got '${String(this.anneal)}'`);
    this.phases = o.threePhase
      ? [
        { endStep: pctStart * this.totalSteps - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
        { endStep: 2 * pctStart * this.totalSteps - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        { endStep: this.totalSteps - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
      ]
      : [
        { endStep: pctStart * this.totalSteps - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
        { endStep: this.totalSteps - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
      ];

    if (o.maxLr === undefined) throw new Error('OneCycleLR: maxLr is required');
    const maxLrs = checkPerGroup('OneCycleLR', 'maxLr', o.maxLr, n);
    const divFactor = o.divFactor ?? 25;
    const finalDivFactor = o.finalDivFactor ?? 1e4;
    optimizer.paramGroups.forEach((g, i) => {
      g.initialLr = maxLrs[i]! / divFactor;
      g.maxLr = maxLrs[i]!;
      g.minLr = g.initialLr / finalDivFactor;
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);

    this.cycleMomentum = o.cycleMomentum ?? true;
    const defaults = optimizer.defaults;
    this.useBeta1 = 'betas' in defaults;
    if (this.cycleMomentum) {
      if (!('momentum' in defaults) && !this.useBeta1) {
        throw new Error(`OneCycleLR: ${optimizer.constructor.name} has no momentum or betas to cycle; pass cycleMomentum: false`);
      }
      const maxMomentums = checkPerGroup('OneCycleLR', 'maxMomentum', o.maxMomentum ?? 0.95, n);
      const baseMomentums = checkPerGroup('OneCycleLR', 'baseMomentum', o.baseMomentum ?? 0.85, n);
      optimizer.paramGroups.forEach((g, i) => {
        this.setMomentum(g, maxMomentums[i]!);
        g.maxMomentum = maxMomentums[i]!;
        g.baseMomentum = baseMomentums[i]!;
      });
    }
    this.initialStep();
  }

  private setMomentum(g: ParamGroup, m: number): void {
    if (this.useBeta1) g.betas = [m, g.betas![1]];
    else g.momentum = m;
  }

  private annealFrom(start: number, end: number, pct: number): number {
    if (this.anneal === 'linear') return (end - start) * pct + start;
    return end + (start - end) / 2 * (Math.cos(Math.PI * pct) + 1);
  }

  protected computeLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new Error(`OneCycleLR: tried to step ${stepNum + 1} times; the schedule has totalSteps ${this.totalSteps}`);
    }
    return this.groups.map((g) => {
      let startStep = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i]!;
        if (stepNum <= phase.endStep || i === this.phases.length - 1) {
          const pct = (stepNum - startStep) / (phase.endStep - startStep);
          if (this.cycleMomentum) this.setMomentum(g, this.annealFrom(g[phase.startMomentum]!, g[phase.endMomentum]!, pct));
          return this.annealFrom(g[phase.startLr]!, g[phase.endLr]!, pct);
        }
        startStep = phase.endStep;
      }
      throw new Error('OneCycleLR: unreachable');
    });
  }
}

function resolveTotalSteps(o: OneCycleLROptions): number {
  if (o.totalSteps !== undefined) {
    if (!Number.isInteger(o.totalSteps) || o.totalSteps <= 0) throw new RangeError(`OneCycleLR: totalSteps must be a positive integer, got ${o.totalSteps}`);
    return o.totalSteps;
  }
  if (o.epochs === undefined || o.stepsPerEpoch === undefined) {
    throw new Error('OneCycleLR: give totalSteps, or both epochs and stepsPerEpoch');
  }
  for (const [k, v] of [['epochs', o.epochs], ['stepsPerEpoch', o.stepsPerEpoch]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`OneCycleLR: ${k} must be a positive integer, got ${v}`);
  }
  return o.epochs * o.stepsPerEpoch;
}
