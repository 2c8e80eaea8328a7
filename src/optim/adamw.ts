// AdamW: Adam with decoupled weight decay (the parameter shrinks by lr * weightDecay
// each step instead of the decay entering the gradient), as PyTorch 1.13's torch.optim.AdamW.
import type { Tensor } from '../torch/index.js';
import { Optimizer, type ParamGroupInput } from './optimizer.js';
import { type AdamOptions, type AdamGroup, type AdamState, adamDefaults, adamInitState, checkAdamGroup, adamUpdate } from './adam.js';

export type AdamWOptions = AdamOptions;
export type AdamWGroup = AdamGroup;
export type AdamWState = AdamState;

export class AdamW extends Optimizer<AdamWGroup, AdamWState> {
  /** Defaults as PyTorch's: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 1e-2. */
  constructor(params: Tensor[] | ParamGroupInput<AdamWGroup>[], opts: AdamWOptions = {}) {
    super(params, adamDefaults(opts, 1e-2));
  }
  protected override checkGroup(g: AdamWGroup, groupNo: number): void {
    super.checkGroup(g, groupNo);
    checkAdamGroup(this.name, g, groupNo);
  }
  protected initState(p: Tensor, g: AdamWGroup): AdamWState { return adamInitState(p, g); }
  protected updateGroup(g: AdamWGroup, params: Tensor[], grads: Tensor[], states: AdamWState[]): void {
    adamUpdate(g, params, grads, states, 'decoupled');
  }
}
