// Tensors to and from their raw little-endian element bytes, for every dtype. Going
// through bytes (not Tensor.toTypedArray) keeps float16/bfloat16 bit-exact and lets
// file formats name the dtype themselves.
import { native as N } from '../native.js';
import { Tensor, wrap, handleOf } from '../tensor.js';
import { dtypeCode, itemSize, type DType } from '../dtype.js';

/** A new CPU tensor holding a copy of `bytes`, which must be exactly numel * itemSize long. */
export function tensorFromBytes(bytes: Uint8Array, dtype: DType, shape: readonly number[]): Tensor {
  const numel = shape.reduce((a, b) => a * b, 1);
  const need = numel * itemSize(dtype);
  if (bytes.byteLength !== need) {
    throw new RangeError(`${bytes.byteLength} bytes cannot hold a ${dtype} tensor of shape [${shape.join(', ')}] (needs ${need})`);
  }
  return wrap(N.fromBuffer(bytes, dtypeCode(dtype), [...shape]));
}

/** The tensor's elements in row-major order as raw bytes (copied to the CPU and made contiguous). */
export function tensorBytes(t: Tensor): Buffer {
  return Buffer.from(N.toBuffer(handleOf(t)));
}
