// Sample-weighted averaging of per-sample losses (reduction 'none'), for self-paced
// learning, importance weighting and noisy-label reweighting.
import { type Tensor, ops, tidy } from '../../torch/index.js';
import { fmtShape, requireFloating } from './checks.js';

/**
 * sum(w * l) / sum(w). Weights of shape [N] also apply to per-pixel losses [N, H, W]:
 * each weight covers all of its sample's elements, and the denominator counts them.
 * When every weight is zero the result is 0 rather than NaN, so a step in which no
 * sample is selected adds no gradient instead of poisoning the parameters. Weights stay
 * differentiable; detach them first when they must not receive a gradient.
 */
export function weightedMean(perSampleLoss: Tensor, sampleWeights: Tensor): Tensor {
  const loss = 'weightedMean';
  requireFloating(loss, 'perSampleLoss', perSampleLoss);
  requireFloating(loss, 'sampleWeights', sampleWeights);
  const ls = perSampleLoss.shape, ws = sampleWeights.shape;
  if (ws.length > ls.length || ws.some((d, i) => d !== ls[i])) {
    throw new RangeError(`${loss}: sampleWeights ${fmtShape(ws)} must match the leading dimensions of perSampleLoss ${fmtShape(ls)}`);
  }
  return tidy(() => {
    let w = sampleWeights.dtype === perSampleLoss.dtype ? sampleWeights : sampleWeights.to(perSampleLoss.dtype);
    if (ws.length < ls.length) w = w.reshape([...ws, ...ls.slice(ws.length).map(() => 1)]).expand(ls);
    const total = w.sum();
    const nonZero = ops.where$ScalarOther(total.ne(0), total, 1);
    return w.mul(perSampleLoss).sum().div(nonZero);
  });
}
