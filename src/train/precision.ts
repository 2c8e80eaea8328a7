// Numeric precision of training and evaluation, named as PyTorch Lightning names it.
// Mixed precision runs the forward pass under autocast (convolutions and matrix products in
// bf16 or fp16) while weights, optimizer state, losses and metrics stay float32.
import { autocast, bf16Support, parseDevice, type Tensor } from '../torch/index.js';

export const PRECISIONS = ['auto', 'fp32', 'bf16-mixed', 'fp16-mixed'] as const;
export type Precision = (typeof PRECISIONS)[number];
export type ResolvedPrecision = Exclude<Precision, 'auto'>;

export interface PrecisionChoice {
  requested: Precision;
  precision: ResolvedPrecision;
  /** Why this precision, for the run files. */
  reason: string;
}

/** The precision to train with on `device`: 'auto' picks bf16-mixed only where bf16 units are native. */
export function resolvePrecision(requested: Precision | undefined, device: string): PrecisionChoice {
  const req = requested ?? 'auto';
  if (!(PRECISIONS as readonly string[]).includes(req)) {
    throw new TypeError(`precision must be one of ${PRECISIONS.join(', ')}, got '${String(req)}'`);
  }
  const type = parseDevice(device).type;
  if (req === 'fp16-mixed' && type !== 'cuda') {
    throw new TypeError(`precision 'fp16-mixed' needs a CUDA device (libtorch autocasts to float16 only there); on ${device} use 'bf16-mixed' or 'fp32'`);
  }
  if (req === 'bf16-mixed' && type !== 'cpu' && type !== 'cuda') throw new TypeError(`precision 'bf16-mixed' runs on cpu or cuda, not ${device}`);
  if (req !== 'auto') return { requested: req, precision: req, reason: 'requested' };
  if (type !== 'cpu' && type !== 'cuda') return { requested: req, precision: 'fp32', reason: `no autocast on ${type}` };
  const bf16 = bf16Support(device);
  return { requested: req, precision: bf16.native ? 'bf16-mixed' : 'fp32', reason: bf16.reason };
}

/** Runs fn in the precision: under autocast for the mixed ones, as is for fp32. */
export function inPrecision<T>(precision: ResolvedPrecision, device: string, fn: () => T): T {
  if (precision === 'fp32') return fn();
  const deviceType = parseDevice(device).type as 'cpu' | 'cuda';
  return autocast({ deviceType, dtype: precision === 'bf16-mixed' ? 'bfloat16' : 'float16' }, fn);
}

/** Outputs of a mixed-precision forward in float32, so that losses and metrics are computed in full precision. */
export function asFloat32(outputs: Tensor): Tensor {
  return outputs.dtype === 'bfloat16' || outputs.dtype === 'float16' ? outputs.to('float32') : outputs;
}
