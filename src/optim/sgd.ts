// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and
// L2 weight decay: PyTorch 1.13's torch.optim.SGD update, step for step.
import { Tensor, ops, keep } from '../torch/index.js';
import { Optimizer, type ParamGroup, type ParamGroupInput } from './optimizer.js';
import { effectiveGrads } from './update-helpers.js';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

export interface SGDGroup extends ParamGroup {
  momentum: number;
  dampening: number;
  nesterov: boolean;
  maximize: boolean;
}

/** The momentum buffer exists once a step with momentum has run (PyTorch saves None before). */
export type SGDState = { momentum_buffer?: Tensor };

export class SGD extends Optimizer<SGDGroup, SGDState> {
  constructor(params: Tensor[] | ParamGroupInput<SGDGroup>[], opts: SGDOptions) {
    if (opts === undefined || opts.lr === undefined) throw new Error('SGD: lr is required, e.g. new SGD(params, { lr: 0.1 })');
    super(params, {
      lr: opts.lr,
      momentum: opts.momentum ?? 0,
      dampening: opts.dampening ?? 0,
      weightDecay: opts.weightDecay ?? 0,
      nesterov: opts.nesterov ?? false,
      maximize: opts.maximize ?? false,
    });
  }

  protected override checkGroup(g: SGDGroup, groupNo: number): void {
    super.checkGroup(g, groupNo);
    this.checkRange(groupNo, 'momentum', g.momentum, 0);
    this.checkRange(groupNo, 'dampening', g.dampening, -Infinity);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new Error(`SGD: Nesterov momentum needs momentum > 0 and dampening 0 (parameter group ${groupNo} has momentum ${g.momentum}, dampening ${g.dampening})`);
    }
  }

  protected initState(): SGDState { return {}; }

  protected updateGroup(g: SGDGroup, params: Tensor[], grads: Tensor[], states: SGDState[]): void {
    let d = effectiveGrads(params, grads, g.maximize, g.weightDecay);
    if (g.momentum !== 0) {
      const bufs: Tensor[] = [];
      const running: Tensor[] = [];
      const runningGrads: Tensor[] = [];
      states.forEach((s, i) => {
        const buf = s.momentum_buffer;
        if (buf !== undefined) {
          running.push(buf);
          runningGrads.push(d[i]!);
          bufs.push(buf);
        } else {
          // The first step starts the buffer at the gradient itself.
          const fresh = keep(ops.clone(d[i]!));
          s.momentum_buffer = fresh;
          bufs.push(fresh);
        }
      });
      if (running.length > 0) {
        ops._foreach_mul_$Scalar(running, g.momentum);
        ops._foreach_add_$List(running, runningGrads, { alpha: 1 - g.dampening });
      }
      d = g.nesterov ? ops._foreach_add$List(d, bufs, { alpha: g.momentum }) : bufs;
    }
    ops._foreach_add_$List(params, d, { alpha: -g.lr });
  }
}
