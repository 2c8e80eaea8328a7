// Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_, without reading
// the norm back: the scale factor is computed and applied on the device.
import { type Tensor, ops, tidy, noGrad } from '../torch/index.js';

/**
 * Scales the gradients of `params` in place so that their joint L2 norm is at most
 * maxNorm. Returns the norm before clipping as a scalar tensor (in the caller's scope).
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): Tensor | undefined {
  if (!(typeof maxNorm === 'number' && maxNorm > 0)) throw new RangeError(`clipGradNorm: maxNorm must be a positive number, got ${String(maxNorm)}`);
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== undefined);
  if (grads.length === 0) return undefined;
  const total = noGrad(() => tidy(() => {
    const norms = grads.map((g) => g.square().sum());
    const norm = (norms.length === 1 ? norms[0]! : ops.stack(norms).sum()).sqrt();
    // PyTorch's 1e-6 keeps the factor finite for zero gradients; min(…, 1) never scales up.
    const factor = norm.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1);
    for (const g of grads) g.mul_(factor);
    return norm;
  }));
  return total;
}
