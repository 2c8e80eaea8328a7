// The geometry shared by the attacks: per-sample norms, projections onto the epsilon
// ball and onto the [0, 1] image box, random starts inside the ball, and the losses the
// gradient attacks climb. Everything works per sample so that one image's gradient
// never scales another's step.
import { type Tensor, type Generator, tidy, rand, randn } from '../../torch/index.js';
import { crossEntropy } from '../../nn/index.js';
import type { Norm } from './attack-options.js';

/** One norm per sample [N] of a perturbation [N, ...]. */
export function perSampleNorm(delta: Tensor, norm: Norm): Tensor {
  return tidy(() => {
    const flat = delta.flatten(1);
    return norm === 'linf' ? flat.abs().max(1).values : flat.square().sum(1).sqrt();
  });
}

/** `v` reshaped to broadcast over samples of `like` ([N] → [N, 1, 1, 1]). */
export function perSample(v: Tensor, like: Tensor): Tensor {
  return v.reshape([v.shape[0]!, ...new Array<number>(like.ndim - 1).fill(1)]);
}

/** Clamps `adv` into the ball of radius eps around `x` and into [0, 1]. */
export function project(adv: Tensor, x: Tensor, eps: number, norm: Norm): Tensor {
  return tidy(() => {
    let delta = adv.sub(x);
    if (norm === 'linf') {
      delta = delta.clamp(-eps, eps);
    } else {
      const n = perSampleNorm(delta, 'l2');
      // Scale down only perturbations that are too long.
      const factor = n.clamp(eps, null).reciprocal().mul(eps);
      delta = delta.mul(perSample(factor, delta));
    }
    return x.add(delta).clamp(0, 1);
  });
}

/** Unit-norm direction of g per sample: sign(g) for L-infinity, g / ||g||₂ for L2. */
export function steepestDirection(g: Tensor, norm: Norm): Tensor {
  return tidy(() => {
    if (norm === 'linf') return g.sign();
    const n = perSampleNorm(g, 'l2').clamp(1e-12, null);
    return g.div(perSample(n, g));
  });
}

/**
 * A uniformly random point of the epsilon ball around x (L-infinity: uniform per pixel;
 * L2: uniform in the ball), clamped into [0, 1].
 */
export function randomStart(x: Tensor, eps: number, norm: Norm, generator?: Generator): Tensor {
  return tidy(() => {
    const o = { dtype: x.dtype, device: x.device, ...(generator ? { generator } : {}) };
    let delta: Tensor;
    if (norm === 'linf') {
      delta = rand(x.shape, o).mul(2 * eps).sub(eps);
    } else {
      const dir = steepestDirection(randn(x.shape, o), 'l2');
      const d = x.numel() / x.shape[0]!;
      const radius = rand([x.shape[0]!], o).pow(1 / d).mul(eps);
      delta = dir.mul(perSample(radius, dir));
    }
    return x.add(delta).clamp(0, 1);
  });
}

/**
 * The objective gradient attacks ascend, summed over the batch so that each sample's
 * gradient is its own: cross-entropy to the true class (untargeted), or minus the
 * cross-entropy to the target class (targeted).
 */
export function attackLoss(logits: Tensor, labels: Tensor, targeted: boolean): Tensor {
  const ce = crossEntropy(logits, labels, { reduction: 'sum' });
  return targeted ? ce.neg() : ce;
}

/** Per-sample margin [N]: how far the model is from being fooled (negative once it is). */
export function margin(logits: Tensor, labels: Tensor, targeted: boolean): Tensor {
  return tidy(() => {
    const idx = labels.unsqueeze(1);
    const own = logits.gather(1, idx).squeeze(1);
    const others = logits.scatter(1, idx, -Infinity).max(1).values;
    // Untargeted: the true class must fall below the best other; targeted: the target must rise above it.
    return targeted ? others.sub(own) : own.sub(others);
  });
}

/** Whether each sample [N] counts as fooled: misclassified (untargeted) or classified as its target. */
export function fooled(logits: Tensor, labels: Tensor, targeted: boolean): Tensor {
  return tidy(() => {
    const pred = logits.argmax(1);
    return targeted ? pred.eq(labels) : pred.ne(labels);
  });
}
