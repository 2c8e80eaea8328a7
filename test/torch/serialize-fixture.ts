// A state dict covering every dtype and awkward values (extremes, -0, subnormals, empty
// and non-contiguous tensors), shared by the serialization tests.
import * as T from '../../src/torch/index.js';

export function stateDict(): Map<string, T.Tensor> {
  return new Map<string, T.Tensor>([
    ['conv.weight', T.arange(0, 24, 1, { dtype: 'float32' }).div(8).reshape(2, 3, 2, 2)],
    ['conv.bias', T.tensor(new Float64Array([Math.PI, -0, Infinity, 5e-324]))],
    ['bn.running_mean', T.tensor([0.5, -1.25, 3])],
    ['bn.num_batches_tracked', T.tensor(42, { dtype: 'int64' })],
    ['ids', T.tensor(new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 5n]))],
    ['i32', T.tensor(new Int32Array([-(2 ** 31), 2 ** 31 - 1]))],
    ['i16', T.tensor(new Int16Array([-32768, 32767]))],
    ['i8', T.tensor(new Int8Array([-128, 127]))],
    ['u8', T.tensor(new Uint8Array([0, 200, 255]))],
    ['half', T.ops.view$dtype(T.tensor(new Int16Array([0x3e00, 0x7bff, 0x0001, -0x8000])), 'float16')],
    ['bf16', T.ops.view$dtype(T.tensor(new Int16Array([0x3fc0, -0x3fc0, 0x7f7f])), 'bfloat16')],
    ['mask', T.tensor([true, false, true])],
    ['empty', T.zeros([0, 3])],
    ['transposed', T.arange(0, 6, 1, { dtype: 'float32' }).reshape(2, 3).t()],
  ]);
}
