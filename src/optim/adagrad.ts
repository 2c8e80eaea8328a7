// Adagrad (with learning-rate decay, L2 weight decay and an initial accumulator value):
// PyTorch 1.13's torch.optim.Adagrad update, step for step.
import type { Tensor } from '../torch/index.js';
import { ops } from '../torch/index.js';
import { Optimizer, type ParamGroup, type ParamGroupInput } from './optimizer.js';
import { effectiveGrads, countStep, newStateTensor } from './update-helpers.js';
import { bucketsByStep, pick } from './step-buckets.js';

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

export interface AdagradGroup extends ParamGroup {
  lrDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

export type AdagradState = { step: number; sum: Tensor };

export class Adagrad extends Optimizer<AdagradGroup, AdagradState> {
  constructor(params: Tensor[] | ParamGroupInput<AdagradGroup>[], opts: AdagradOptions = {}) {
    super(params, {
      lr: opts.lr ?? 1e-2,
      lrDecay: opts.lrDecay ?? 0,
      weightDecay: opts.weightDecay ?? 0,
      initialAccumulatorValue: opts.initialAccumulatorValue ?? 0,
      eps: opts.eps ?? 1e-10,
      maximize: opts.maximize ?? false,
    });
    // PyTorch creates Adagrad's state up front, so a fresh optimizer's state dict already has it.
    for (const g of this.paramGroups) for (const p of g.params) this.stateOf(p, g);
  }

  protected initState(p: Tensor, g: AdagradGroup): AdagradState {
    return { step: 0, sum: newStateTensor(p, g.initialAccumulatorValue) };
  }

  protected override checkGroup(g: AdagradGroup, groupNo: number): void {
    super.checkGroup(g, groupNo);
    this.checkRange(groupNo, 'lrDecay', g.lrDecay, 0);
    this.checkRange(groupNo, 'initialAccumulatorValue', g.initialAccumulatorValue, 0);
    this.checkRange(groupNo, 'eps', g.eps, 0);
  }

  protected updateGroup(g: AdagradGroup, params: Tensor[], grads: Tensor[], states: AdagradState[]): void {
    const sums = states.map((s) => s.sum);
    countStep(states);
    const d = effectiveGrads(params, grads, g.maximize, g.weightDecay);

    ops._foreach_addcmul_$Scalar(sums, d, d, 1);
    const std = ops._foreach_sqrt(sums);
    ops._foreach_add_$Scalar(std, g.eps);
    for (const bucket of bucketsByStep(states)) {
      const clr = g.lr / (1 + (bucket.step - 1) * g.lrDecay);
      ops._foreach_addcdiv_$Scalar(pick(params, bucket), pick(d, bucket), pick(std, bucket), -clr);
    }
  }
}
