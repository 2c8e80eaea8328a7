import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';

test('tidy frees everything created inside except the result', () => {
  const outer = T.ones([2]);
  let inner: T.Tensor | undefined;
  const result = T.tidy(() => {
    inner = outer.add(1);
    const r = inner.mul(2);
    return { r, list: [r.add(1)] };
  });
  assert.equal(inner!.isDisposed, true);
  assert.equal(result.r.isDisposed, false);
  assert.deepEqual(result.list[0]!.toArray(), [5, 5]);
  assert.equal(outer.isDisposed, false);
});

test('nested tidy hands results to the enclosing scope, keep() survives all scopes', () => {
  let mid: T.Tensor | undefined;
  let kept: T.Tensor | undefined;
  T.tidy(() => {
    mid = T.tidy(() => T.ones([1]).add(1));
    kept = T.keep(T.ones([1]));
    assert.equal(mid.isDisposed, false);
    return undefined;
  });
  assert.equal(mid!.isDisposed, true);
  assert.equal(kept!.isDisposed, false);
});

test('tidy frees on throw and rejects async functions', () => {
  let t: T.Tensor | undefined;
  assert.throws(() => T.tidy(() => { t = T.ones([1]); throw new Error('x'); }), /x/);
  assert.equal(t!.isDisposed, true);
  assert.throws(() => T.tidy((async () => 1) as unknown as () => number), /tidyAsync/);
});

test('dispose and using release tensors; using a disposed tensor is an error', () => {
  const a = T.ones([2]);
  a.dispose();
  a.dispose();
  assert.throws(() => a.add(1), /disposed/);
  let b: T.Tensor;
  {
    using c = T.ones([2]);
    b = c;
  }
  assert.equal(b.isDisposed, true);
});

test('no tensor handle outlives a tidy step', () => {
  const x = T.randn([64, 64]);
  const w = T.randn([64, 64], { requiresGrad: true });
  const step = () => T.tidy(() => {
    const loss = x.matmul(w).relu().sum();
    loss.backward();
    w.zeroGrad();
    return loss.item();
  });
  step();
  const before = T.liveTensorCount();
  for (let i = 0; i < 500; i++) step();
  assert.equal(T.liveTensorCount(), before);
  const leaked = T.ones([1]);
  assert.equal(T.liveTensorCount(), before + 1, 'the counter sees a tensor created outside tidy');
  leaked.dispose();
  assert.equal(T.liveTensorCount(), before);
});

test('operator errors name the operator, the arguments and their shapes', () => {
  const a = T.ones([2, 3]);
  const b = T.ones([4, 5]);
  assert.throws(() => a.matmul(b), (e: Error) =>
    /aten::matmul\(self=float32\[2, 3\], other=float32\[4, 5\]\)/.test(e.message) && /cannot be multiplied/.test(e.message));
  assert.throws(() => T.ops.conv2d(T.ones([1, 3, 8, 8]), T.ones([4, 2, 3, 3])),
    /aten::conv2d\(input=float32\[1, 3, 8, 8\], weight=float32\[4, 2, 3, 3\]\).*expected input\[1, 3, 8, 8\] to have 2 channels/s);
  assert.throws(() => T.ops.add$Tensor(a, 3 as unknown as T.Tensor), /expected a Tensor/);
  assert.throws(() => T.ops.sum$dim_IntList(a, [1.5]), /aten::sum.dim_IntList\(dim\): expected an integer/);
  assert.throws(() => T.ops.reshape(a, 'x' as unknown as number[]), /reshape\(shape\): expected int\[\]/);
  assert.throws(() => T.ops.zeros([2], { dtype: 'complex' as T.DType }), /unknown dtype 'complex'/);
  assert.throws(() => T.ones([2]).to('cuda:7').numel(), /cuda|CUDA/);
});
