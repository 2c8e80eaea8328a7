// Loss scaling for fp16 mixed precision (torch.cuda.amp.GradScaler): float16 gradients of
// small losses underflow to zero, so the loss is multiplied by a large factor before the
// backward pass and the gradients divided by it before the update. A step whose gradients
// overflowed (inf or NaN) is skipped and the factor halved; after `growthInterval` clean
// steps in a row it doubles. bf16 has float32's range and needs none of this.
import { type Tensor, ops, tidy, noGrad } from '../torch/index.js';
import type { Optimizer } from '../optim/index.js';

export interface GradScalerOptions {
  initScale?: number;
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
}

export class GradScaler {
  scale: number;
  readonly growthFactor: number;
  readonly backoffFactor: number;
  readonly growthInterval: number;
  private growthTracker = 0;

  constructor(opts: GradScalerOptions = {}) {
    this.scale = opts.initScale ?? 2 ** 16;
    this.growthFactor = opts.growthFactor ?? 2;
    this.backoffFactor = opts.backoffFactor ?? 0.5;
    this.growthInterval = opts.growthInterval ?? 2000;
    if (!(this.scale > 0) || !(this.growthFactor > 1) || !(this.backoffFactor > 0 && this.backoffFactor < 1) || !(this.growthInterval >= 1)) {
      throw new RangeError('GradScaler: initScale > 0, growthFactor > 1, 0 < backoffFactor < 1 and growthInterval >= 1 are required');
    }
  }

  /** The loss to call backward() on. */
  scaleLoss(loss: Tensor): Tensor {
    return loss.mul(this.scale);
  }

  /**
   * Divides every gradient by the scale in place and says whether any was inf or NaN
   * (then the step must be skipped). One read-back per step.
   */
  unscale(optimizer: Optimizer): boolean {
    const grads = optimizer.paramGroups.flatMap((g) => g.params).map((p) => p.grad).filter((g): g is Tensor => g !== undefined);
    if (grads.length === 0) return false;
    return noGrad(() => tidy(() => {
      const inv = 1 / this.scale;
      for (const g of grads) g.mul_(inv);
      const finite = grads.map((g) => ops.isfinite(g).all());
      return !(finite.length === 1 ? finite[0]! : ops.stack(finite).all()).item();
    }));
  }

  /** Adjusts the scale after a step, given whether its gradients overflowed. */
  update(foundInf: boolean): void {
    if (foundInf) {
      this.scale *= this.backoffFactor;
      this.growthTracker = 0;
    } else if (++this.growthTracker >= this.growthInterval) {
      this.scale *= this.growthFactor;
      this.growthTracker = 0;
    }
  }

  stateDict(): Record<string, number> {
    return { scale: this.scale, growthTracker: this.growthTracker };
  }

  loadStateDict(s: Record<string, number>): void {
    if (typeof s.scale === 'number') this.scale = s.scale;
    if (typeof s.growthTracker === 'number') this.growthTracker = s.growthTracker;
  }
}
