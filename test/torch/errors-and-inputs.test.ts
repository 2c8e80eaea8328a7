// Operator errors as TorchError, bad tensor() input, device strings, Layout/MemoryFormat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';

const { ops } = T;

test('operator failures are TorchErrors naming the operator and the arguments', () => T.tidy(() => {
  const a = T.zeros([2, 3]);
  const b = T.zeros([4, 5]);
  let caught: unknown;
  try {
    a.matmul(b);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof T.TorchError, 'a TorchError');
  assert.ok(caught instanceof Error);
  const e = caught as InstanceType<typeof T.TorchError>;
  assert.equal(e.name, 'TorchError');
  assert.equal(e.message, 'aten::matmul(self=float32[2, 3], other=float32[4, 5]): mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)');
  assert.equal(e.op, 'aten::matmul');
  assert.deepEqual(e.args, [
    { name: 'self', shape: [2, 3], dtype: 'float32', device: 'cpu' },
    { name: 'other', shape: [4, 5], dtype: 'float32', device: 'cpu' },
  ]);
  assert.ok(e.stack?.includes('TorchError'));
  // Non-tensor arguments are described by value; overloads are part of the name.
  assert.throws(() => ops.sum$dim_IntList(a, [5]), (err: unknown) => {
    const te = err as InstanceType<typeof T.TorchError>;
    return te instanceof T.TorchError && te.op === 'aten::sum.dim_IntList' &&
      te.args[1]!.name === 'dim' && te.args[1]!.value === '[5]' && /Dimension out of range/.test(te.message);
  });
  // Conversion errors (a wrong JS type) stay TypeErrors: they are the caller's bug, not libtorch's.
  assert.throws(() => T.callOp('aten::neg', '', 3), (err: unknown) => err instanceof TypeError && !(err instanceof T.TorchError));
}));

test('tensor() rejects non-numeric elements, naming the element and its index', () => {
  const bad = (data: unknown, re: RegExp) => assert.throws(() => T.tensor(data as number[]), (e: unknown) => e instanceof TypeError && re.test((e as Error).message));
  bad(['a', 'b'], /element \[0\] is the string "a"; expected a number or boolean/);
  bad([1, 2, 'x'], /element \[2\] is the string "x"/);
  bad([[1, 2], [3, null]], /element \[1\]\[1\] is null/);
  bad([1, undefined], /element \[1\] is undefined/);
  bad([1, {}], /element \[1\] is an object \(Object\)/);
  bad([1n, 2n], /element \[0\] is a bigint \(1\)/);
  bad('a', /data is the string "a"/);
  // Ragged nesting, at every depth.
  bad([[1, 2], [3]], /ragged nested array: element \[1\] has length 1, expected 2/);
  bad([[1, 2], 3], /ragged nested array: element \[1\] is a number \(3\) where an array of length 2 was expected/);
  bad([1, [2, 3]], /ragged nested array: element \[1\] is an array of length 2 where a number was expected/);
  bad([[[1], [2]], [[3], [4, 5]]], /element \[1\]\[1\] has length 2, expected 1/);
  // Good input still works, NaN included (it is a number).
  T.tidy(() => {
    assert.deepEqual(T.tensor([[1, 2], [3, 4]]).toArray(), [[1, 2], [3, 4]]);
    assert.ok(Number.isNaN(T.tensor([NaN]).item()));
    assert.deepEqual(T.tensor([true, false]).toArray(), [true, false]);
  });
});

test('parseDevice: one parser for device strings, with a clear error', () => {
  assert.deepEqual(T.parseDevice('cpu'), { type: 'cpu', index: null });
  assert.deepEqual(T.parseDevice('cuda'), { type: 'cuda', index: null });
  assert.deepEqual(T.parseDevice('cuda:1'), { type: 'cuda', index: 1 });
  assert.equal(T.formatDevice(T.parseDevice('cuda:3')), 'cuda:3');
  for (const s of ['gpu', 'cuda:', 'cuda:x', 'CUDA', ' cpu', 'cuda:-1', '']) {
    assert.throws(() => T.parseDevice(s), (e: unknown) => e instanceof TypeError && (e as Error).message.includes(`invalid device '${s}'`), s);
  }
  assert.equal(T.isDeviceString('cuda:0'), true);
  assert.equal(T.isDeviceString('float32'), false);
  // Tensor.to() goes through it for device-like strings, and still names unknown dtypes.
  T.tidy(() => {
    const t = T.ones([1]);
    assert.throws(() => t.to('cuda:x'), /invalid device 'cuda:x'/);
    assert.throws(() => t.to('float8' as T.DType), /unknown dtype 'float8'/);
    assert.equal(t.to('cpu').device, 'cpu');
  });
});

test('Layout and MemoryFormat are named constants that reach libtorch', () => T.tidy(() => {
  assert.equal(T.MemoryFormat.channels_last, 'channels_last');
  const x = T.zeros([2, 3, 4, 5]);
  const cl = ops.contiguous(x, { memory_format: T.MemoryFormat.channels_last });
  // channels_last: the channel dimension is the innermost in memory.
  assert.deepEqual([0, 1, 2, 3].map((d) => ops.stride$int(cl, d)), [60, 1, 15, 3]);
  const back = ops.clone(cl, { memory_format: 'contiguous_format' });
  assert.deepEqual([0, 1, 2, 3].map((d) => ops.stride$int(back, d)), [60, 20, 5, 1]);
  const kept = ops.clone(cl, { memory_format: 'preserve_format' });
  assert.equal(ops.stride$int(kept, 1), 1);
  const e = ops.empty$memory_format([2, 3, 4, 5], { memory_format: 'channels_last' });
  assert.equal(ops.stride$int(e, 1), 1);
  const sparse = ops.empty$memory_format([3, 3], { layout: T.Layout.sparse_coo });
  assert.equal(ops.sparse_dim(sparse), 2);
  assert.equal(ops._nnz(sparse), 0);
  assert.throws(() => T.layoutCode('dense' as T.Layout), /unknown Layout 'dense'/);
  assert.throws(() => ops.contiguous(x, { memory_format: 'nchw' as T.MemoryFormat }), /unknown MemoryFormat 'nchw'/);
}));
