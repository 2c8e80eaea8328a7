// The operator profiler: self and total times from nested records, and a real run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tidy, randn, ops, profile, summarizeEvents } from '../../src/torch/index.js';

test('summarizeEvents pairs records into self and total time per operator and shapes', () => {
  // conv2d (0-10) calls convolution (1-9), which calls mkldnn_convolution (2-8); a relu on another thread.
  const p = summarizeEvents([
    ['push', 'aten::conv2d', 1, 11, 0, [[8, 3, 16, 16], [4, 3, 3, 3]]],
    ['push', 'aten::convolution', 1, 12, 1, [[8, 3, 16, 16], [4, 3, 3, 3]]],
    ['push', 'aten::mkldnn_convolution', 1, 13, 2, [[8, 3, 16, 16], [4, 3, 3, 3], []]],
    ['pop', 'aten::mkldnn_convolution', 1, 13, 8, []],
    ['pop', 'aten::convolution', 1, 12, 9, []],
    ['pop', 'aten::conv2d', 1, 11, 10, []],
    ['push', 'aten::relu', 2, 21, 3, [[8, 4, 14, 14]]],
    ['pop', 'aten::relu', 2, 21, 7, []],
    ['push', 'aten::relu', 2, 22, 20, [[8, 4, 14, 14]]],
    ['pop', 'aten::relu', 2, 22, 22, []],
  ]);
  const row = (name: string) => p.operators.find((o) => o.name === name)!;
  assert.deepEqual(row('aten::mkldnn_convolution'), { name: 'aten::mkldnn_convolution', shapes: '[8, 3, 16, 16] [4, 3, 3, 3]', calls: 1, selfUs: 6, totalUs: 6 });
  assert.equal(row('aten::convolution').selfUs, 2);
  assert.equal(row('aten::conv2d').selfUs, 2);
  assert.equal(row('aten::conv2d').totalUs, 10);
  assert.deepEqual([row('aten::relu').calls, row('aten::relu').selfUs], [2, 6]);
  assert.equal(p.totalUs, 16);
  assert.equal(p.operators[0]!.name, 'aten::mkldnn_convolution', 'sorted by self time');
  const table = p.table(2).split('\n');
  assert.match(table[0]!, /^operator\s+self ms\s+self %\s+total ms\s+calls\s+input shapes$/);
  assert.equal(table.length, 2 + 2 + 1);
});

test('profile records the operators of a forward and backward pass with their shapes', async () => {
  const x = randn([8, 3, 16, 16]);
  const w = randn([4, 3, 3, 3]).requiresGrad_();
  const { result, profile: p } = await profile(() => tidy(() => {
    const y = ops.conv2d(x, w).relu().sum();
    y.backward();
    return y.item();
  }));
  assert.equal(typeof result, 'number');
  const names = p.operators.map((o) => o.name);
  for (const n of ['aten::conv2d', 'aten::relu', 'aten::sum']) assert.ok(names.includes(n), `${n} missing from ${names.join(', ')}`);
  assert.ok(names.some((n) => n.includes('convolution_backward')), 'the backward pass is recorded');
  const conv = p.operators.find((o) => o.name === 'aten::conv2d')!;
  assert.equal(conv.shapes, '[8, 3, 16, 16] [4, 3, 3, 3]');
  for (const o of p.operators) assert.ok(o.selfUs <= o.totalUs + 1e-6 && o.selfUs >= -1e-6, `${o.name}: self ${o.selfUs} total ${o.totalUs}`);
  assert.ok(p.totalUs > 0);
  w.dispose();
  x.dispose();
  // Profiling again works (the profiler was stopped).
  const again = await profile(() => tidy(() => x.isDisposed ? 0 : 1));
  assert.equal(again.result, 0);
});
