// Exact t-SNE (van der Maaten & Hinton, 2008) on the engine's tensor ops: every pairwise
// quantity is an N×N tensor, so memory and time grow with N²; fine up to a few thousand
// points, which is what a feature-space picture of a test set needs.
//
// The optimisation follows the exact mode of van der Maaten's reference implementation
// (bhtsne with theta = 0): Gaussian start with std 1e-4, early exaggeration 12, momentum
// 0.5 then 0.8, delta-bar-delta gains (+0.2 / ×0.8, floor 0.01), re-centring each step.
import { Tensor, tidy, tensor, cat, ops } from '../torch/index.js';

export interface TsneOptions {
  /** Effective number of neighbours each point's Gaussian covers (default 30; must be below N). */
  perplexity?: number;
  /** Gradient-descent steps (default 1000). */
  iterations?: number;
  /** Step size η (default 200). */
  learningRate?: number;
  /** Seed of the initial layout; equal seeds give equal embeddings (default 0). */
  seed?: number;
  /** Factor on P during the first phase, which pulls clusters apart early (default 12). */
  earlyExaggeration?: number;
  /**
   * Steps with exaggerated P and the lower momentum. Default: a quarter of the
   * iterations, at most 250 (the reference's 250 of 1000).
   */
  exaggerationIterations?: number;
}

const INITIAL_MOMENTUM = 0.5;
const FINAL_MOMENTUM = 0.8;
const MIN_GAIN = 0.01;
const MIN_PROBABILITY = 1e-12;

/** Embeds the rows of features [N, D] in 2-D; returns x0, y0, x1, y1, ... (N*2 values). */
export function tsne(features: Tensor, opts: TsneOptions = {}): Float32Array {
  if (!(features instanceof Tensor) || features.ndim !== 2) {
    throw new RangeError(`tsne: features must be a 2-D tensor [N, D], got ${features instanceof Tensor ? `shape [${features.shape.join(', ')}]` : typeof features}`);
  }
  const n = features.shape[0]!;
  const perplexity = opts.perplexity ?? 30;
  const iterations = opts.iterations ?? 1000;
  const learningRate = opts.learningRate ?? 200;
  const exaggeration = opts.earlyExaggeration ?? 12;
  const exaggerationIterations = opts.exaggerationIterations ?? Math.min(250, Math.round(iterations / 4));
  if (n < 2) throw new RangeError(`tsne: need at least 2 points, got ${n}`);
  if (!(perplexity > 0 && perplexity < n)) throw new RangeError(`tsne: perplexity must be in (0, N = ${n}), got ${perplexity}`);
  if (!Number.isInteger(iterations) || iterations < 0) throw new RangeError(`tsne: iterations must be a non-negative integer, got ${iterations}`);
  if (!(learningRate > 0)) throw new RangeError(`tsne: learningRate must be positive, got ${learningRate}`);

  return tidy(() => {
    const device = features.device;
    const p = jointProbabilities(features.detach().to('float64'), perplexity).clamp_(MIN_PROBABILITY).to('float32');
    let y = tensor(gaussianStart(n, opts.seed ?? 0), { shape: [n, 2], device });
    let update = ops.zeros_like(y);
    let gains = ops.ones_like(y);
    const exaggerated = p.mul(exaggeration);
    for (let it = 0; it < iterations; it++) {
      const early = it < exaggerationIterations;
      const next = tidy(() => gradientStep(y, update, gains, early ? exaggerated : p,
        early ? INITIAL_MOMENTUM : FINAL_MOMENTUM, learningRate));
      y.dispose(); update.dispose(); gains.dispose();
      ({ y, update, gains } = next);
      if (it + 1 === exaggerationIterations) exaggerated.dispose();
    }
    return y.toTypedArray() as Float32Array;
  });
}

/**
 * The input similarities t-SNE matches, as a float64 [N, N] tensor summing to 1:
 * symmetric joint probabilities P = (P_j|i + P_i|j) / 2N, where each conditional
 * Gaussian's precision β_i is found by bisection so that its entropy is log(perplexity).
 * All rows are searched at once, one N×N exp per step.
 */
export function tsneAffinities(features: Tensor, perplexity = 30): Tensor {
  if (!(features instanceof Tensor) || features.ndim !== 2) throw new RangeError('tsneAffinities: features must be a 2-D tensor [N, D]');
  const n = features.shape[0]!;
  if (!(perplexity > 0 && perplexity < n)) throw new RangeError(`tsneAffinities: perplexity must be in (0, N = ${n}), got ${perplexity}`);
  return tidy(() => jointProbabilities(features.detach().to('float64'), perplexity));
}

/** |a_i - b_j|² + offset for all pairs, as one [N, K+2] × [K+2, N] product (no N×N temporaries). */
function squaredDistances(x: Tensor, offset = 0): Tensor {
  const sq = x.square().sum(1, true);
  const ones = ops.ones_like(sq);
  const left = cat([x, sq, ones], 1);
  const right = cat([x.mul(-2), ones, sq.add(offset)], 1);
  return left.matmul(right.t());
}

function jointProbabilities(x: Tensor, perplexity: number): Tensor {
  const n = x.shape[0]!;
  const dist = squaredDistances(x).clamp_(0);
  ops.fill_diagonal_(dist, Infinity);
  // Entropy ignores a per-row shift of the distances; measuring them from each row's
  // nearest neighbour keeps exp() from underflowing to all zeros on far-apart data.
  const nearest = dist.min(1, true).values;
  const shifted = dist.sub_(nearest).clamp_(0);
  const negShifted = shifted.neg();
  ops.fill_diagonal_(shifted, 0);
  // Row dot products as a batched [1, N] × [N, 1] product, without an N×N temporary.
  const rowDot = (a: Tensor, b: Tensor) => ops.bmm(a.unsqueeze(1), b.unsqueeze(2)).view(n, 1);
  const targetEntropy = Math.log(perplexity);
  let beta = shifted.sum(1, true).div(n - 1).clamp_(1e-12).reciprocal();
  let betaMin = ops.zeros_like(beta);
  let betaMax = ops.full_like(beta, Infinity);
  for (let step = 0; step < 100; step++) {
    const next = tidy(() => {
      // exp(-β·d) with d = +∞ on the diagonal, which makes it 0 there.
      const unnormalised = ops.exp_(negShifted.mul(beta));
      const total = unnormalised.sum(1, true);
      const entropy = total.log().add(beta.mul(rowDot(shifted, unnormalised)).div(total));
      const error = entropy.sub(targetEntropy);
      const done = error.abs().max().item() < 1e-5;
      const tooFlat = error.gt(0);
      const newMin = ops.where$self(tooFlat, beta, betaMin);
      const newMax = ops.where$self(tooFlat, betaMax, beta);
      const raised = ops.where$self(ops.isinf(betaMax), beta.mul(2), beta.add(betaMax).div(2));
      const lowered = beta.add(betaMin).div(2);
      return { done, beta: done ? beta.clone() : ops.where$self(tooFlat, raised, lowered), betaMin: newMin, betaMax: newMax };
    });
    beta.dispose(); betaMin.dispose(); betaMax.dispose();
    ({ beta, betaMin, betaMax } = next);
    if (next.done) break;
  }
  const conditional = ops.exp_(negShifted.mul(beta));
  conditional.div_(conditional.sum(1, true));
  return conditional.add(conditional.t()).div_(2 * n);
}

function gradientStep(y: Tensor, update: Tensor, gains: Tensor, p: Tensor, momentum: number, learningRate: number) {
  // Student-t kernel (1 + |y_i - y_j|²)⁻¹, zero on the diagonal; in place to spare N×N allocations.
  const kernel = ops.reciprocal_(squaredDistances(y, 1));
  ops.fill_diagonal_(kernel, 0);
  // (P - Q) ∘ kernel with Q = kernel / Σ kernel.
  const weights = kernel.div(kernel.sum().neg()).add_(p).mul_(kernel);
  // Without the constant factor 4 of the true gradient, as in the reference, so that
  // η keeps the meaning (and the default of 200) it has there.
  const grad = weights.sum(1, true).mul(y).sub(weights.matmul(y));
  const signsDiffer = grad.gt(0).ne(update.gt(0));
  const newGains = ops.where$self(signsDiffer, gains.add(0.2), gains.mul(0.8)).clamp_(MIN_GAIN);
  const newUpdate = update.mul(momentum).sub(newGains.mul(grad).mul(learningRate));
  const moved = y.add(newUpdate);
  return { y: moved.sub(moved.mean(0, true)), update: newUpdate, gains: newGains };
}

/** N×2 standard normals × 1e-4 from a seeded generator (mulberry32 + Box–Muller), independent of libtorch's global RNG. */
function gaussianStart(n: number, seed: number): Float32Array {
  let state = (seed >>> 0) ^ 0x9e3779b9;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(n * 2);
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const a = 2 * Math.PI * uniform();
    out[i] = 1e-4 * r * Math.cos(a);
    out[i + 1] = 1e-4 * r * Math.sin(a);
  }
  return out;
}
