// Losses for segmentation and multi-label training beyond cross-entropy: soft Dice
// (multiclass over softmax, multilabel over sigmoid, with class weights), focal loss, the
// asymmetric loss of Ridnik et al. 2021 (ASL) and weighted combinations of losses.
import { type Tensor, tensor, ops } from '../../torch/index.js';
import { requireNumber, fmtShape } from './checks.js';

export interface SoftDiceOptions {
  /** Per-class weights [C] of the Dice terms (normalised to sum 1). Default equal. */
  classWeights?: readonly number[];
  /** Added to numerator and denominator, so empty classes score 1 rather than 0/0. Default 1. */
  smooth?: number;
  /** Multiclass: target value of pixels left out. Default 255. */
  ignoreIndex?: number;
}

function weightedOneMinusMean(dice: Tensor, weights: readonly number[] | undefined, loss: string): Tensor {
  const c = dice.shape[0]!;
  if (!weights) return dice.mean().neg().add(1);
  if (weights.length !== c) throw new RangeError(`${loss}: ${weights.length} class weights for ${c} classes`);
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0) || weights.some((w) => w < 0)) throw new RangeError(`${loss}: class weights must be non-negative with a positive sum`);
  const w = tensor(Float32Array.from(weights, (v) => v / total)).to(dice.device);
  return dice.mul(w).sum().neg().add(1);
}

/**
 * 1 − mean soft Dice over classes, from logits [N, C, ...] (softmax) and class indices
 * [N, ...]; the Dice of class c is (2·Σ p·t + s) / (Σ p + Σ t + s) over the batch's
 * counted pixels.
 */
export function softDiceLoss(logits: Tensor, target: Tensor, opts: SoftDiceOptions = {}): Tensor {
  const loss = 'softDiceLoss';
  if (logits.ndim < 2 || target.ndim !== logits.ndim - 1) throw new RangeError(`${loss}: expected logits [N, C, ...] and class indices [N, ...], got ${fmtShape(logits.shape)} and ${fmtShape(target.shape)}`);
  const c = logits.shape[1]!;
  const smooth = requireNumber(loss, 'smooth', opts.smooth ?? 1, (v) => v >= 0, 'non-negative');
  const counted = target.ne(opts.ignoreIndex ?? 255);
  const t = ops.where$ScalarOther(counted, target, 0);
  // [N, ..., C] → [N, C, ...] one-hot, zero on the ignored pixels.
  const dims = [0, logits.ndim - 1, ...Array.from({ length: logits.ndim - 2 }, (_, i) => i + 1)];
  const valid = counted.unsqueeze(1).to(logits.dtype);
  const onehot = ops.one_hot(t.long(), c).permute(dims).to(logits.dtype).mul(valid);
  const p = logits.softmax(1).mul(valid);
  const sumDims = [0, ...Array.from({ length: logits.ndim - 2 }, (_, i) => i + 2)];
  const inter = p.mul(onehot).sum(sumDims);
  const dice = inter.mul(2).add(smooth).div(p.sum(sumDims).add(onehot.sum(sumDims)).add(smooth));
  return weightedOneMinusMean(dice, opts.classWeights, loss);
}

/** 1 − mean soft Dice over labels, from logits (sigmoid) and 0/1 targets of the same shape [N, K, ...]. */
export function softDiceLossMultilabel(logits: Tensor, target: Tensor, opts: Omit<SoftDiceOptions, 'ignoreIndex'> = {}): Tensor {
  const loss = 'softDiceLossMultilabel';
  if (logits.ndim < 2 || logits.shape.join() !== target.shape.join()) throw new RangeError(`${loss}: logits ${fmtShape(logits.shape)} and targets ${fmtShape(target.shape)} must have one shape [N, K, ...]`);
  const smooth = requireNumber(loss, 'smooth', opts.smooth ?? 1, (v) => v >= 0, 'non-negative');
  const p = logits.sigmoid();
  const t = target.to(logits.dtype);
  const sumDims = [0, ...Array.from({ length: logits.ndim - 2 }, (_, i) => i + 2)];
  const dice = p.mul(t).sum(sumDims).mul(2).add(smooth).div(p.sum(sumDims).add(t.sum(sumDims)).add(smooth));
  return weightedOneMinusMean(dice, opts.classWeights, loss);
}

export interface FocalOptions {
  /** Focusing parameter γ: (1 − p_t)^γ down-weights easy examples. Default 2. */
  gamma?: number;
  /** Per-class weights α [C]. Default none. */
  alpha?: readonly number[];
  ignoreIndex?: number;
}

/** Focal loss (Lin et al. 2017) over logits [N, C, ...] and class indices [N, ...]: mean of −α_t (1 − p_t)^γ log p_t over counted elements. */
export function focalLoss(logits: Tensor, target: Tensor, opts: FocalOptions = {}): Tensor {
  const loss = 'focalLoss';
  if (logits.ndim < 2 || target.ndim !== logits.ndim - 1) throw new RangeError(`${loss}: expected logits [N, C, ...] and class indices [N, ...], got ${fmtShape(logits.shape)} and ${fmtShape(target.shape)}`);
  const gamma = requireNumber(loss, 'gamma', opts.gamma ?? 2, (v) => v >= 0, 'non-negative');
  const counted = target.ne(opts.ignoreIndex ?? 255);
  const t = ops.where$ScalarOther(counted, target, 0).long();
  const logpt = logits.logSoftmax(1).gather(1, t.unsqueeze(1)).squeeze(1);
  let per = logpt.exp().neg().add(1).pow(gamma).mul(logpt).neg();
  if (opts.alpha) {
    if (opts.alpha.length !== logits.shape[1]) throw new RangeError(`${loss}: ${opts.alpha.length} alpha weights for ${logits.shape[1]} classes`);
    per = per.mul(tensor(Float32Array.from(opts.alpha)).to(logits.device).indexSelect(0, t.flatten()).reshape(t.shape));
  }
  const valid = counted.to(per.dtype);
  return per.mul(valid).sum().div(valid.sum().clamp(1));
}

export interface AsymmetricOptions {
  /** Focusing on positives γ+ (default 0) and on negatives γ− (default 4). */
  gammaPos?: number;
  gammaNeg?: number;
  /** Probability margin m: negatives with p < m cost nothing (default 0.05). */
  clip?: number;
  eps?: number;
}

/**
 * Asymmetric loss for multi-label classification (Ridnik et al., ICCV 2021), from logits
 * and 0/1 targets [N, K]: −[y (1−p)^γ+ log p + (1−y) p_m^γ− log(1−p_m)], p_m = max(p − m, 0);
 * the mean over all (sample, label) entries, as BCE's.
 */
export function asymmetricLoss(logits: Tensor, target: Tensor, opts: AsymmetricOptions = {}): Tensor {
  const loss = 'asymmetricLoss';
  if (logits.shape.join() !== target.shape.join()) throw new RangeError(`${loss}: logits ${fmtShape(logits.shape)} and targets ${fmtShape(target.shape)} differ`);
  const gp = requireNumber(loss, 'gammaPos', opts.gammaPos ?? 0, (v) => v >= 0, 'non-negative');
  const gn = requireNumber(loss, 'gammaNeg', opts.gammaNeg ?? 4, (v) => v >= 0, 'non-negative');
  const m = requireNumber(loss, 'clip', opts.clip ?? 0.05, (v) => v >= 0 && v < 1, 'in [0, 1)');
  const eps = opts.eps ?? 1e-8;
  const y = target.to(logits.dtype);
  const p = logits.sigmoid();
  const pm = m > 0 ? p.sub(m).clamp(0, 1) : p;
  const pos = p.neg().add(1).pow(gp).mul(p.clamp(eps, 1).log()).mul(y);
  const neg = pm.pow(gn).mul(pm.neg().add(1).clamp(eps, 1).log()).mul(y.neg().add(1));
  return pos.add(neg).neg().mean();
}

/** Σ w_i · loss_i(logits, target): e.g. cross-entropy plus Dice. */
export function combineLosses(terms: readonly [number, (logits: Tensor, target: Tensor) => Tensor][]): (logits: Tensor, target: Tensor) => Tensor {
  if (terms.length === 0) throw new RangeError('combineLosses: no terms');
  for (const [w] of terms) if (!Number.isFinite(w)) throw new RangeError(`combineLosses: weight ${w} is not a finite number`);
  return (logits, target) => terms.map(([w, fn]) => fn(logits, target).mul(w)).reduce((a, b) => a.add(b));
}
