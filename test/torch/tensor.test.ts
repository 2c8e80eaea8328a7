import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';

const close = (a: number[], b: number[], tol = 1e-6) => {
  assert.equal(a.length, b.length, `length ${a.length} vs ${b.length}`);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) <= tol, `element ${i}: ${x} vs ${b[i]}`));
};

test('creation from nested arrays, typed arrays and scalars', () => {
  const a = T.tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(a.shape, [2, 3]);
  assert.equal(a.dtype, 'float32');
  assert.deepEqual(a.toArray(), [[1, 2, 3], [4, 5, 6]]);
  const b = T.tensor(new Int32Array([1, 2, 3, 4]), { shape: [2, 2] });
  assert.equal(b.dtype, 'int32');
  assert.deepEqual(b.toArray(), [[1, 2], [3, 4]]);
  const c = T.tensor([true, false]);
  assert.equal(c.dtype, 'bool');
  assert.deepEqual(c.toArray(), [true, false]);
  assert.equal(T.tensor(3.5).item(), 3.5);
  assert.deepEqual(T.tensor([1, 2], { dtype: 'int64' }).toTypedArray(), new BigInt64Array([1n, 2n]));
  assert.throws(() => T.tensor([[1, 2], [3]]), /ragged/);
  assert.throws(() => T.tensor(new Float32Array(5), { shape: [2, 2] }), /20 bytes but shape \[2, 2\]/);
});

test('every dtype round-trips through typed arrays and to()', () => {
  const src = T.tensor([0, 1, 2, 3]);
  for (const d of ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8'] as const) {
    const t = src.to(d);
    assert.equal(t.dtype, d);
    assert.deepEqual(t.toFlatArray(), [0, 1, 2, 3], d);
  }
  assert.deepEqual(src.to('bool').toArray(), [false, true, true, true]);
  assert.throws(() => src.to('float8' as T.DType), /unknown dtype 'float8'/);
});

test('factories', () => {
  assert.deepEqual(T.zeros([2, 2]).toArray(), [[0, 0], [0, 0]]);
  assert.deepEqual(T.ones([3], { dtype: 'int64' }).toArray(), [1, 1, 1]);
  assert.deepEqual(T.full([2], 7).toArray(), [7, 7]);
  assert.deepEqual(T.arange(5).toArray(), [0, 1, 2, 3, 4]);
  assert.equal(T.arange(5).dtype, 'int64');
  close(T.arange(0, 1, 0.25).toFlatArray(), [0, 0.25, 0.5, 0.75]);
  close(T.linspace(0, 1, 5).toFlatArray(), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(T.eye(2).toArray(), [[1, 0], [0, 1]]);
  const r = T.rand([1000]);
  const v = r.toFlatArray();
  assert.ok(v.every((x) => x >= 0 && x < 1));
  assert.ok(Math.abs(r.mean().item() - 0.5) < 0.05);
  const n = T.randn([20000]);
  assert.ok(Math.abs(n.mean().item()) < 0.05 && Math.abs(n.std().item() - 1) < 0.05);
  const ri = T.randint(3, 7, [500]).toFlatArray();
  assert.ok(ri.every((x) => x >= 3 && x < 7 && Number.isInteger(x)));
  assert.deepEqual([...T.randperm(10).toFlatArray()].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('manualSeed makes random draws reproducible, and rng state can be restored', () => {
  T.manualSeed(42);
  const a = T.randn([5]).toFlatArray();
  T.manualSeed(42);
  assert.deepEqual(T.randn([5]).toFlatArray(), a);
  const state = T.getRngState();
  const b = T.rand([3]).toFlatArray();
  T.setRngState(state);
  assert.deepEqual(T.rand([3]).toFlatArray(), b);
  assert.throws(() => T.manualSeed(-1), /non-negative integer/);
});

test('broadcasting arithmetic with tensors and scalars', () => {
  const a = T.tensor([[1, 2], [3, 4]]);
  const row = T.tensor([10, 20]);
  assert.deepEqual(a.add(row).toArray(), [[11, 22], [13, 24]]);
  assert.deepEqual(a.sub(1).toArray(), [[0, 1], [2, 3]]);
  assert.deepEqual(a.mul(row).toArray(), [[10, 40], [30, 80]]);
  assert.deepEqual(a.div(2).toArray(), [[0.5, 1], [1.5, 2]]);
  assert.deepEqual(a.pow(2).toArray(), [[1, 4], [9, 16]]);
  assert.deepEqual(a.add(row, 2).toArray(), [[21, 42], [23, 44]]);
  assert.deepEqual(a.matmul(T.tensor([[1], [1]])).toArray(), [[3], [7]]);
  // integer tensors keep their dtype with integer scalars, as in PyTorch
  const i = T.tensor([1, 2], { dtype: 'int64' });
  assert.equal(i.add(1).dtype, 'int64');
  assert.equal(i.mul(0.5).dtype, 'float32');
  assert.deepEqual(i.div(2, 'floor').toArray(), [0, 1]);
});

test('in-place ops return the same tensor', () => {
  const a = T.zeros([3]);
  const r = a.add_(2).mul_(3);
  assert.equal(r, a);
  assert.deepEqual(a.toArray(), [6, 6, 6]);
  a.copy_(T.tensor([1, 2, 3]));
  assert.deepEqual(a.toArray(), [1, 2, 3]);
  a.clamp_(1.5, 2.5);
  assert.deepEqual(a.toArray(), [1.5, 2, 2.5]);
  assert.deepEqual(a.zero_().toArray(), [0, 0, 0]);
});

test('reductions', () => {
  const a = T.tensor([[1, 5, 3], [4, 2, 6]]);
  assert.equal(a.sum().item(), 21);
  assert.deepEqual(a.sum(0).toArray(), [5, 7, 9]);
  assert.deepEqual(a.sum(1, true).shape, [2, 1]);
  assert.deepEqual(a.mean(1).toArray(), [3, 4]);
  assert.equal(a.max().item(), 6);
  const { values, indices } = a.max(1);
  assert.deepEqual(values.toArray(), [5, 6]);
  assert.deepEqual(indices.toArray(), [1, 2]);
  assert.deepEqual(a.argmax(1).toArray(), [1, 2]);
  assert.deepEqual(a.argmin(0).toArray(), [0, 1, 0]);
  const top = a.topk(2, 1);
  assert.deepEqual(top.values.toArray(), [[5, 3], [6, 4]]);
  assert.deepEqual(top.indices.toArray(), [[1, 2], [2, 0]]);
  close([T.tensor([1, 2, 3, 4]).std().item()], [1.2909944487358056]);
  close([T.tensor([1, 2, 3, 4]).var(undefined, false, 0).item()], [1.25]);
  assert.deepEqual(T.tensor([3, 1, 2]).sort().values.toArray(), [1, 2, 3]);
});

test('shape operations', () => {
  const a = T.arange(24).reshape(2, 3, 4);
  assert.deepEqual(a.shape, [2, 3, 4]);
  assert.deepEqual(a.view([6, 4]).shape, [6, 4]);
  assert.deepEqual(a.permute(2, 0, 1).shape, [4, 2, 3]);
  assert.equal(a.permute(2, 0, 1).contiguous().toFlatArray()[1], 4);
  assert.deepEqual(a.transpose(0, 2).shape, [4, 3, 2]);
  assert.deepEqual(a.flatten(1).shape, [2, 12]);
  assert.deepEqual(a.unsqueeze(0).shape, [1, 2, 3, 4]);
  assert.deepEqual(a.unsqueeze(0).squeeze(0).shape, [2, 3, 4]);
  assert.deepEqual(T.tensor([1, 2]).expand(3, 2).toArray(), [[1, 2], [1, 2], [1, 2]]);
  assert.deepEqual(T.cat([T.tensor([1]), T.tensor([2, 3])]).toArray(), [1, 2, 3]);
  assert.deepEqual(T.stack([T.tensor([1, 2]), T.tensor([3, 4])], 1).toArray(), [[1, 3], [2, 4]]);
  assert.deepEqual(T.arange(6).chunk(3).map((c) => c.toArray()), [[0, 1], [2, 3], [4, 5]]);
  assert.deepEqual(T.arange(5).split([2, 3]).map((c) => c.numel()), [2, 3]);
  assert.deepEqual(T.arange(4).flip(0).toArray(), [3, 2, 1, 0]);
  assert.throws(() => a.view(5, 5), /aten::view\(self=int64\[2, 3, 4\], size=\[5, 5\]\)/);
});

test('python-style indexing', () => {
  const a = T.arange(12).reshape(3, 4);
  assert.deepEqual(a.index(1).toArray(), [4, 5, 6, 7]);
  assert.deepEqual(a.index(T.slice(), 2).toArray(), [2, 6, 10]);
  assert.deepEqual(a.index(T.slice(0, 2), T.slice(1, 4, 2)).toArray(), [[1, 3], [5, 7]]);
  assert.deepEqual(a.index(-1, -1).item(), 11);
  assert.deepEqual(a.index(null).shape, [1, 3, 4]);
  assert.deepEqual(a.index('...', 0).toArray(), [0, 4, 8]);
  assert.deepEqual(a.index([0, 2]).toArray(), [[0, 1, 2, 3], [8, 9, 10, 11]]);
  assert.deepEqual(a.index(T.slice(), [3, 0]).toArray(), [[3, 0], [7, 4], [11, 8]]);
  assert.deepEqual(a.index(T.tensor([0, 1], { dtype: 'int64' }), T.tensor([1, 2], { dtype: 'int64' })).toArray(), [1, 6]);
  const mask = a.gt(8);
  assert.deepEqual(a.maskedSelect(mask).toArray(), [9, 10, 11]);
  const b = T.zeros([3]);
  b.indexPut_([T.tensor([0, 2], { dtype: 'int64' })], 5);
  assert.deepEqual(b.toArray(), [5, 0, 5]);
  assert.deepEqual(a.gather(1, T.tensor([[0], [1], [2]], { dtype: 'int64' })).toArray(), [[0], [5], [10]]);
});

test('comparisons and unary math', () => {
  const a = T.tensor([-1, 0, 2]);
  assert.deepEqual(a.gt(0).toArray(), [false, false, true]);
  assert.deepEqual(a.eq(T.tensor([-1, 1, 2])).toArray(), [true, false, true]);
  assert.deepEqual(a.relu().toArray(), [0, 0, 2]);
  assert.deepEqual(a.abs().toArray(), [1, 0, 2]);
  close(a.sigmoid().toFlatArray(), [0.2689414213699951, 0.5, 0.8807970779778823]);
  close(a.exp().toFlatArray(), [Math.exp(-1), 1, Math.exp(2)], 1e-5);
  close(T.tensor([[1, 2, 3]]).softmax(1).toFlatArray(), [0.09003057, 0.24472847, 0.66524096]);
  close(T.tensor([[1, 2, 3]]).logSoftmax(1).toFlatArray(), [-2.40760596, -1.40760596, -0.40760596], 1e-5);
  assert.ok(T.tensor([1, 2]).allClose(T.tensor([1, 2.0000001])));
});

test('generated bindings cover the operator set, and callOp reaches any operator', () => {
  assert.ok(T.ops.generatedOpCount > 1500, `only ${T.ops.generatedOpCount} generated`);
  const out = T.callOp('aten::add', 'Tensor', T.tensor([1, 2]), T.tensor([3, 4]), 10) as T.Tensor;
  assert.deepEqual(out.toArray(), [31, 42]);
  const [v, i] = T.callOp('aten::max', 'dim', T.tensor([[1, 3], [4, 2]]), 1) as T.Tensor[];
  assert.deepEqual(v!.toArray(), [3, 4]);
  assert.deepEqual(i!.toArray(), [1, 0]);
  assert.throws(() => T.callOp('aten::nope', ''), /aten::nope is not registered/);
});
