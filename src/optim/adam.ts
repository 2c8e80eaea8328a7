// Adam (with optional AMSGrad and L2 weight decay): PyTorch 1.13's torch.optim.Adam
// update, step for step. AdamW shares the moment updates and differs only in how
// weight decay is applied (see adamw.ts).
import { Tensor, ops } from '../torch/index.js';
import { Optimizer, type ParamGroup, type ParamGroupInput } from './optimizer.js';
import { effectiveGrads, stateTensor, newStateTensor, countStep } from './update-helpers.js';
import { bucketsByStep, pick } from './step-buckets.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

export interface AdamGroup extends ParamGroup {
  betas: [number, number];
  eps: number;
  amsgrad: boolean;
  maximize: boolean;
}

/** PyTorch's names; max_exp_avg_sq only with AMSGrad. */
export type AdamState = { step: number; exp_avg: Tensor; exp_avg_sq: Tensor; max_exp_avg_sq?: Tensor };

export class Adam extends Optimizer<AdamGroup, AdamState> {
  constructor(params: Tensor[] | ParamGroupInput<AdamGroup>[], opts: AdamOptions = {}) {
    super(params, adamDefaults(opts, 0));
  }
  protected initState(p: Tensor, g: AdamGroup): AdamState { return adamInitState(p, g); }
  protected override checkGroup(g: AdamGroup, groupNo: number): void {
    super.checkGroup(g, groupNo);
    checkAdamGroup(this.name, g, groupNo);
  }
  protected updateGroup(g: AdamGroup, params: Tensor[], grads: Tensor[], states: AdamState[]): void {
    adamUpdate(g, params, grads, states, 'l2');
  }
}

export function adamInitState(p: Tensor, g: AdamGroup): AdamState {
  const s: AdamState = { step: 0, exp_avg: newStateTensor(p), exp_avg_sq: newStateTensor(p) };
  if (g.amsgrad) s.max_exp_avg_sq = newStateTensor(p);
  return s;
}

export function adamDefaults(opts: AdamOptions, weightDecay: number): Omit<AdamGroup, 'params'> {
  return {
    lr: opts.lr ?? 1e-3,
    betas: opts.betas ? [opts.betas[0], opts.betas[1]] : [0.9, 0.999],
    eps: opts.eps ?? 1e-8,
    weightDecay: opts.weightDecay ?? weightDecay,
    amsgrad: opts.amsgrad ?? false,
    maximize: opts.maximize ?? false,
  };
}

export function checkAdamGroup(name: string, g: AdamGroup, groupNo: number): void {
  if (!Array.isArray(g.betas) || g.betas.length !== 2) {
    throw new TypeError(`${name}: betas must be a pair [beta1, beta2] in parameter group ${groupNo}, got ${JSON.stringify(g.betas)}`);
  }
  g.betas.forEach((b, i) => {
    if (typeof b !== 'number' || !(b >= 0 && b < 1)) throw new RangeError(`${name}: invalid beta${i + 1} ${b} in parameter group ${groupNo} (must be in [0, 1))`);
  });
  if (typeof g.eps !== 'number' || !(g.eps >= 0)) throw new RangeError(`${name}: invalid eps ${g.eps} in parameter group ${groupNo} (must be >= 0)`);
}

/**
 * The Adam step. `decay` 'l2' adds weightDecay * param to the gradient (Adam);
 * 'decoupled' shrinks the parameter by lr * weightDecay first (AdamW).
 */
export function adamUpdate(g: AdamGroup, params: Tensor[], grads: Tensor[], states: AdamState[], decay: 'l2' | 'decoupled'): void {
  const [beta1, beta2] = g.betas;
  const expAvgs = states.map((s) => s.exp_avg);
  const expAvgSqs = states.map((s) => s.exp_avg_sq);
  const maxExpAvgSqs = g.amsgrad ? params.map((p, i) => stateTensor(states[i]!, 'max_exp_avg_sq', p)) : [];
  countStep(states);

  let d: Tensor[];
  if (decay === 'decoupled') {
    d = effectiveGrads(params, grads, g.maximize, 0);
    if (g.weightDecay !== 0) ops._foreach_mul_$Scalar(params, 1 - g.lr * g.weightDecay);
  } else {
    d = effectiveGrads(params, grads, g.maximize, g.weightDecay);
  }

  ops._foreach_mul_$Scalar(expAvgs, beta1);
  ops._foreach_add_$List(expAvgs, d, { alpha: 1 - beta1 });
  ops._foreach_mul_$Scalar(expAvgSqs, beta2);
  ops._foreach_addcmul_$Scalar(expAvgSqs, d, d, 1 - beta2);
  if (g.amsgrad) ops._foreach_maximum_$List(maxExpAvgSqs, expAvgSqs);
  const second = g.amsgrad ? maxExpAvgSqs : expAvgSqs;

  for (const bucket of bucketsByStep(states)) {
    const biasCorrection1 = 1 - beta1 ** bucket.step;
    const biasCorrection2 = 1 - beta2 ** bucket.step;
    const stepSize = g.lr / biasCorrection1;
    const denom = ops._foreach_sqrt(pick(second, bucket));
    ops._foreach_div_$Scalar(denom, Math.sqrt(biasCorrection2));
    ops._foreach_add_$Scalar(denom, g.eps);
    ops._foreach_addcdiv_$Scalar(pick(params, bucket), pick(expAvgs, bucket), denom, -stepSize);
  }
}
