// Adadelta: PyTorch 1.13's torch.optim.Adadelta update, step for step.
import { Tensor, ops } from '../torch/index.js';
import { Optimizer, type ParamGroup, type ParamGroupInput } from './optimizer.js';
import { effectiveGrads, newStateTensor, countStep } from './update-helpers.js';

export interface AdadeltaOptions {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

export interface AdadeltaGroup extends ParamGroup {
  rho: number;
  eps: number;
  maximize: boolean;
}

export type AdadeltaState = { step: number; square_avg: Tensor; acc_delta: Tensor };

export class Adadelta extends Optimizer<AdadeltaGroup, AdadeltaState> {
  constructor(params: Tensor[] | ParamGroupInput<AdadeltaGroup>[], opts: AdadeltaOptions = {}) {
    super(params, {
      lr: opts.lr ?? 1,
      rho: opts.rho ?? 0.9,
      eps: opts.eps ?? 1e-6,
      weightDecay: opts.weightDecay ?? 0,
      maximize: opts.maximize ?? false,
    });
  }

  protected override checkGroup(g: AdadeltaGroup, groupNo: number): void {
    super.checkGroup(g, groupNo);
    this.checkRange(groupNo, 'rho', g.rho, 0, 1);
    this.checkRange(groupNo, 'eps', g.eps, 0);
  }

  protected initState(p: Tensor): AdadeltaState {
    return { step: 0, square_avg: newStateTensor(p), acc_delta: newStateTensor(p) };
  }

  protected updateGroup(g: AdadeltaGroup, params: Tensor[], grads: Tensor[], states: AdadeltaState[]): void {
    const squareAvgs = states.map((s) => s.square_avg);
    const accDeltas = states.map((s) => s.acc_delta);
    countStep(states);
    const d = effectiveGrads(params, grads, g.maximize, g.weightDecay);

    ops._foreach_mul_$Scalar(squareAvgs, g.rho);
    ops._foreach_addcmul_$Scalar(squareAvgs, d, d, 1 - g.rho);
    const std = ops._foreach_add$Scalar(squareAvgs, g.eps);
    ops._foreach_sqrt_(std);
    // delta = sqrt(accDelta + eps) / std * grad
    const delta = ops._foreach_add$Scalar(accDeltas, g.eps);
    ops._foreach_sqrt_(delta);
    ops._foreach_div_$List(delta, std);
    ops._foreach_mul_$List(delta, d);
    ops._foreach_mul_$Scalar(accDeltas, g.rho);
    ops._foreach_addcmul_$Scalar(accDeltas, delta, delta, 1 - g.rho);
    ops._foreach_add_$List(params, delta, { alpha: -g.lr });
  }
}
