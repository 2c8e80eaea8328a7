// Elementwise regression losses between a prediction and a target of the same shape.
import { type Tensor, ops, tidy } from '../../torch/index.js';
import { type Reduction, reductionCode } from './reduction.js';
import { requireNumber, sameShapeTarget } from './checks.js';

export interface RegressionLossOptions { reduction?: Reduction }
export interface SmoothL1LossOptions extends RegressionLossOptions {
  /** Where the loss turns from quadratic to linear; 0 gives the L1 loss. */
  beta?: number;
}
export interface HuberLossOptions extends RegressionLossOptions {
  /** Where the loss turns from quadratic to linear; must be positive. */
  delta?: number;
}

/** Squared error, as torch.nn.functional.mse_loss (differentiable in the target too). */
export function mseLoss(input: Tensor, target: Tensor, opts: RegressionLossOptions = {}): Tensor {
  const code = reductionCode('mseLoss', opts.reduction);
  return tidy(() => ops.mse_loss(input, sameShapeTarget('mseLoss', input, target), code));
}

/** Absolute error, as torch.nn.functional.l1_loss. */
export function l1Loss(input: Tensor, target: Tensor, opts: RegressionLossOptions = {}): Tensor {
  const code = reductionCode('l1Loss', opts.reduction);
  return tidy(() => ops.l1_loss(input, sameShapeTarget('l1Loss', input, target), code));
}

/** 0.5 d^2 / beta for |d| < beta, else |d| - 0.5 beta; as torch.nn.functional.smooth_l1_loss. */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: SmoothL1LossOptions = {}): Tensor {
  const code = reductionCode('smoothL1Loss', opts.reduction);
  const beta = requireNumber('smoothL1Loss', 'beta', opts.beta ?? 1, (v) => v >= 0 && Number.isFinite(v), 'a finite number >= 0');
  // ATen computes beta 0 as the L1 loss rather than dividing by it.
  return tidy(() => ops.smooth_l1_loss(input, sameShapeTarget('smoothL1Loss', input, target), code, beta));
}

/** 0.5 d^2 for |d| < delta, else delta (|d| - 0.5 delta); as torch.nn.functional.huber_loss. */
export function huberLoss(input: Tensor, target: Tensor, opts: HuberLossOptions = {}): Tensor {
  const code = reductionCode('huberLoss', opts.reduction);
  const delta = requireNumber('huberLoss', 'delta', opts.delta ?? 1, (v) => v > 0 && Number.isFinite(v), 'a finite number > 0');
  return tidy(() => ops.huber_loss(input, sameShapeTarget('huberLoss', input, target), code, delta));
}
