// Gradient clipping as a step hook: after backward, before the optimizer reads the
// gradients, their joint L2 norm is scaled down to at most maxNorm.
import type { Tensor } from '../../torch/index.js';
import type { Callback, CallbackContext } from '../callback.js';
import { clipGradNorm } from '../grad-clip.js';

export class GradientClipping implements Callback {
  private params: Tensor[] = [];

  constructor(readonly maxNorm: number) {
    if (!(typeof maxNorm === 'number' && maxNorm > 0)) throw new RangeError(`GradientClipping: maxNorm must be a positive number, got ${String(maxNorm)}`);
  }

  onTrainBegin(_logs: unknown, ctx: CallbackContext): void {
    this.params = ctx.model.parameters().filter((p) => p.requiresGrad);
  }

  afterBackward(): void {
    clipGradNorm(this.params, this.maxNorm);
  }
}
