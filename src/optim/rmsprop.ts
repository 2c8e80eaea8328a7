// RMSprop (optionally centered, with momentum and L2 weight decay): PyTorch 1.13's
// torch.optim.RMSprop update, step for step.
import { Tensor, ops } from '../torch/index.js';
import { Optimizer, type ParamGroup, type ParamGroupInput } from './optimizer.js';
import { effectiveGrads, stateTensor, newStateTensor, countStep } from './update-helpers.js';

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

export interface RMSpropGroup extends ParamGroup {
  alpha: number;
  eps: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/** grad_avg only when centered, momentum_buffer only with momentum. */
export type RMSpropState = { step: number; square_avg: Tensor; grad_avg?: Tensor; momentum_buffer?: Tensor };

export class RMSprop extends Optimizer<RMSpropGroup, RMSpropState> {
  constructor(params: Tensor[] | ParamGroupInput<RMSpropGroup>[], opts: RMSpropOptions = {}) {
    super(params, {
      lr: opts.lr ?? 1e-2,
      alpha: opts.alpha ?? 0.99,
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      momentum: opts.momentum ?? 0,
      centered: opts.centered ?? false,
      maximize: opts.maximize ?? false,
    });
  }

  protected override checkGroup(g: RMSpropGroup, groupNo: number): void {
    super.checkGroup(g, groupNo);
    this.checkRange(groupNo, 'alpha', g.alpha, 0);
    this.checkRange(groupNo, 'eps', g.eps, 0);
    this.checkRange(groupNo, 'momentum', g.momentum, 0);
  }

  protected initState(p: Tensor, g: RMSpropGroup): RMSpropState {
    const s: RMSpropState = { step: 0, square_avg: newStateTensor(p) };
    if (g.centered) s.grad_avg = newStateTensor(p);
    if (g.momentum > 0) s.momentum_buffer = newStateTensor(p);
    return s;
  }

  protected updateGroup(g: RMSpropGroup, params: Tensor[], grads: Tensor[], states: RMSpropState[]): void {
    const squareAvgs = states.map((s) => s.square_avg);
    countStep(states);
    const d = effectiveGrads(params, grads, g.maximize, g.weightDecay);

    ops._foreach_mul_$Scalar(squareAvgs, g.alpha);
    ops._foreach_addcmul_$Scalar(squareAvgs, d, d, 1 - g.alpha);
    let avg: Tensor[];
    if (g.centered) {
      const gradAvgs = params.map((p, i) => stateTensor(states[i]!, 'grad_avg', p));
      ops._foreach_mul_$Scalar(gradAvgs, g.alpha);
      ops._foreach_add_$List(gradAvgs, d, { alpha: 1 - g.alpha });
      avg = ops._foreach_addcmul$Scalar(squareAvgs, gradAvgs, gradAvgs, -1);
      ops._foreach_sqrt_(avg);
    } else {
      avg = ops._foreach_sqrt(squareAvgs);
    }
    ops._foreach_add_$Scalar(avg, g.eps);

    if (g.momentum > 0) {
      const bufs = params.map((p, i) => stateTensor(states[i]!, 'momentum_buffer', p));
      ops._foreach_mul_$Scalar(bufs, g.momentum);
      ops._foreach_addcdiv_$Scalar(bufs, d, avg, 1);
      ops._foreach_add_$List(params, bufs, { alpha: -g.lr });
    } else {
      ops._foreach_addcdiv_$Scalar(params, d, avg, -g.lr);
    }
  }
}
