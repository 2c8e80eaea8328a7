// Which gradients travel together. As in PyTorch's DDP, parameters are taken in reverse
// registration order, because backward produces the last layers' gradients first; the
// first bucket is small (1 MiB) so that communication starts early in backward, the others
// hold up to bucketCapMB. A bucket holds one dtype on one device (it is flattened into
// one tensor).
import { type Tensor, itemSize } from '../../torch/index.js';

export const FIRST_BUCKET_BYTES = 1024 * 1024;

/** bucketOf[i] for params[i], buckets numbered in the order backward fills them. */
export function assignGradientBuckets(params: readonly Tensor[], bucketCapMB: number): number[] {
  if (!(bucketCapMB > 0)) throw new RangeError(`DistributedDataParallel: bucketCapMB must be positive, got ${bucketCapMB}`);
  const cap = bucketCapMB * 1024 * 1024;
  const bucketOf = new Array<number>(params.length).fill(-1);
  let bucket = -1;
  let bytes = 0;
  let kind = '';
  for (let i = params.length - 1; i >= 0; i--) {
    const p = params[i]!;
    const size = p.numel() * itemSize(p.dtype);
    const pKind = `${p.dtype}@${p.device}`;
    const limit = bucket <= 0 ? Math.min(FIRST_BUCKET_BYTES, cap) : cap;
    if (bucket < 0 || pKind !== kind || (bytes > 0 && bytes + size > limit)) {
      bucket++;
      bytes = 0;
      kind = pKind;
    }
    bucketOf[i] = bucket;
    bytes += size;
  }
  return bucketOf;
}
