// Kullback-Leibler divergence, as used for distillation and consistency regularisation.
import { type Tensor, ops, tidy } from '../../torch/index.js';
import { checkReduction, reductionCode } from './reduction.js';
import { sameShapeTarget } from './checks.js';

/**
 * 'batchmean' (sum over everything divided by the batch size) is the mathematical KL
 * divergence per sample; 'mean' divides by the number of elements, as PyTorch's does.
 */
export type KLDivReduction = 'mean' | 'batchmean' | 'sum' | 'none';
export const KL_DIV_REDUCTIONS: readonly KLDivReduction[] = ['mean', 'batchmean', 'sum', 'none'];

export interface KLDivLossOptions {
  reduction?: KLDivReduction;
  /** The target holds log-probabilities instead of probabilities. */
  logTarget?: boolean;
}

/**
 * KL(target || input) with input as log-probabilities, summed elementwise as
 * target * (log target - input), as torch.nn.functional.kl_div. Zero target
 * probabilities contribute zero.
 */
export function klDiv(input: Tensor, target: Tensor, opts: KLDivLossOptions = {}): Tensor {
  const loss = 'klDiv';
  const reduction = checkReduction(loss, opts.reduction, KL_DIV_REDUCTIONS);
  const batchmean = reduction === 'batchmean';
  const code = reductionCode(loss, batchmean ? 'sum' : reduction);
  return tidy(() => {
    const t = sameShapeTarget(loss, input, target);
    const summed = ops.kl_div(input, t, code, { log_target: opts.logTarget ?? false });
    return batchmean && input.ndim > 0 ? summed.div(input.shape[0]!) : summed;
  });
}
