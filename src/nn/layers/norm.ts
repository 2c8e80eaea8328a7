// Batch normalisation. Training normalises with the batch's statistics and folds them
// into running_mean/running_var; eval uses the running statistics. Parameter and buffer
// names (weight, bias, running_mean, running_var, num_batches_tracked) are PyTorch's.
import { Tensor, zeros, ones, tensor, noGrad } from '../../torch/index.js';
import { Module } from '../module.js';
import { ones_, zeros_ } from '../init.js';
import * as F from '../functional.js';

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the newest batch in the running statistics; null for a cumulative average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  protected abstract readonly ranks: number[];
  protected abstract readonly layout: string;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    F.checkPositiveInt(numFeatures, `${new.target.name} numFeatures`);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    if (!(this.eps > 0)) throw new RangeError(`${new.target.name}: eps must be positive, got ${this.eps}`);
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) {
      throw new RangeError(`${new.target.name}: momentum must be in [0, 1] or null, got ${this.momentum}`);
    }
    this.registerParameter('weight', this.affine ? ones([numFeatures]) : null);
    this.registerParameter('bias', this.affine ? zeros([numFeatures]) : null);
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures]));
      this.registerBuffer('running_var', ones([numFeatures]));
      this.registerBuffer('num_batches_tracked', tensor(0, { dtype: 'int64' }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  get weight(): Tensor | null { return this.getParameter('weight') ?? null; }
  get bias(): Tensor | null { return this.getParameter('bias') ?? null; }
  get runningMean(): Tensor | null { return this.getBuffer('running_mean') ?? null; }
  get runningVar(): Tensor | null { return this.getBuffer('running_var') ?? null; }
  get numBatchesTracked(): Tensor | null { return this.getBuffer('num_batches_tracked') ?? null; }

  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  override forward(x: Tensor): Tensor {
    const who = `${this.constructor.name}(${this.numFeatures})`;
    F.expectRank(x, this.ranks, who, this.layout);
    if (x.shape[1] !== this.numFeatures) {
      throw new RangeError(`${who}: expected ${this.numFeatures} channels in dim 1 of input ${this.layout}, got shape ${F.shapeStr(x)}`);
    }
    let momentum = this.momentum ?? 0;
    const counter = this.numBatchesTracked;
    if (this.training && this.trackRunningStats && counter) {
      noGrad(() => counter.add_(1));
      if (this.momentum === null) momentum = 1 / counter.item();
    }
    // Without running statistics, eval mode has nothing to use but the batch's own.
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    const updateRunning = !this.training || this.trackRunningStats;
    return F.batchNorm(x, {
      weight: this.weight, bias: this.bias,
      runningMean: updateRunning ? this.runningMean : null,
      runningVar: updateRunning ? this.runningVar : null,
      training: useBatchStats, momentum, eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Normalises [N, C] or [N, C, L] inputs per channel C. */
export class BatchNorm1d extends BatchNorm {
  protected readonly ranks = [2, 3];
  protected readonly layout = '[N, C] or [N, C, L]';
}

/** Normalises [N, C, H, W] images per channel C. */
export class BatchNorm2d extends BatchNorm {
  protected readonly ranks = [4];
  protected readonly layout = '[N, C, H, W]';
}
