import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';

test('backward accumulates gradients into leaves', () => {
  const x = T.tensor([1, 2, 3], { requiresGrad: true });
  assert.ok(x.requiresGrad && x.isLeaf);
  const y = x.mul(x).sum();
  assert.equal(y.gradFn, 'SumBackward0');
  y.backward();
  assert.deepEqual(x.grad!.toArray(), [2, 4, 6]);
  x.mul(3).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [5, 7, 9]);
  x.zeroGrad();
  assert.equal(x.grad, undefined);
});

test('backward with an explicit gradient and retainGraph', () => {
  const x = T.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(x);
  y.backward(T.tensor([1, 10]), { retainGraph: true });
  assert.deepEqual(x.grad!.toArray(), [2, 40]);
  y.backward(T.tensor([1, 1]));
  assert.deepEqual(x.grad!.toArray(), [4, 44]);
  assert.throws(() => y.backward(T.tensor([1, 1])), /backward/);
});

test('grad() gives input gradients without touching .grad, with createGraph for second order', () => {
  const x = T.tensor([2, 3], { requiresGrad: true });
  const y = x.pow(3).sum();
  const [g] = T.grad(y, x, { createGraph: true });
  assert.deepEqual(g!.toArray(), [12, 27]);
  assert.equal(x.grad, undefined);
  const [g2] = T.grad(g!.sum(), x);
  assert.deepEqual(g2!.toArray(), [12, 18]);
  const z = T.tensor([1], { requiresGrad: true });
  assert.throws(() => T.grad(x.sum(), [x, z]), /grad/);
  const res = T.grad(x.sum(), [x, z], { allowUnused: true });
  assert.equal(res[1], undefined);
});

test('noGrad stops recording, enableGrad restores it inside', () => {
  const x = T.tensor([1], { requiresGrad: true });
  const y = T.noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  const z = T.noGrad(() => T.enableGrad(() => x.mul(2)));
  assert.equal(z.requiresGrad, true);
  assert.equal(T.isGradEnabled(), true);
  assert.throws(() => T.noGrad(() => { throw new Error('boom'); }), /boom/);
  assert.equal(T.isGradEnabled(), true, 'grad mode restored after a throw');
});

test('detach and gradient through a small network matches the analytical gradient', () => {
  const w = T.tensor([[0.5, -1]], { requiresGrad: true });
  const x = T.tensor([[2], [3]]);
  const out = w.matmul(x).sigmoid().sum();
  out.backward();
  const s = 1 / (1 + Math.exp(-(0.5 * 2 - 3)));
  const d = s * (1 - s);
  const g = w.grad!.toFlatArray();
  assert.ok(Math.abs(g[0]! - d * 2) < 1e-6 && Math.abs(g[1]! - d * 3) < 1e-6);
  assert.equal(w.detach().requiresGrad, false);
});

test('gradcheck passes on correct gradients and fails on broken ones', () => {
  const x = T.randn([3, 4], { dtype: 'float64', requiresGrad: true });
  const w = T.randn([2, 4], { dtype: 'float64', requiresGrad: true });
  assert.equal(T.gradcheck((a, b) => T.ops.linear(a, b).tanh(), [x, w]), 20);
  assert.throws(() => T.gradcheck((a) => a.mul(a.detach()), [x]), /gradcheck failed/);
  assert.throws(() => T.gradcheck((a) => a, [T.randn([2], { requiresGrad: true })]), /use float64/);
});
