// Autocast, inference mode, memory-format queries and bf16 hardware detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tidy, randn, ops, autocast, autocastState, inferenceMode, isInferenceMode, isGradEnabled, bf16Support, cpuFlags,
} from '../../src/torch/index.js';

test('autocast runs convolutions in bf16 on the CPU, close to float32, and restores its state', () => tidy(() => {
  const x = randn([4, 3, 12, 12]);
  const w = randn([5, 3, 3, 3]);
  const full = ops.conv2d(x, w);
  const before = autocastState('cpu');
  const low = autocast({ deviceType: 'cpu', dtype: 'bfloat16' }, () => {
    assert.equal(autocastState('cpu').enabled, true);
    // Nested and disabled: full precision inside, autocast again after.
    const inner = autocast({ deviceType: 'cpu', enabled: false }, () => ops.conv2d(x, w));
    assert.equal(inner.dtype, 'float32');
    assert.equal(autocastState('cpu').enabled, true);
    return ops.conv2d(x, w);
  });
  assert.deepEqual(autocastState('cpu'), before);
  assert.equal(low.dtype, 'bfloat16');
  // bf16 keeps 8 bits of mantissa: relative error around 2^-8 of the output scale.
  const err = low.to('float32').sub(full).abs().max().item();
  const scale = full.abs().max().item();
  assert.ok(err / scale < 0.02, `relative error ${err / scale}`);
  assert.ok(err > 0, 'the bf16 result differs from float32 (autocast really ran)');
}));

test('autocast rejects float16 on the CPU and asynchronous functions, leaving its state clean', async () => {
  assert.throws(() => autocast({ deviceType: 'cpu', dtype: 'float16' }, () => 1), /float16 autocast needs CUDA/);
  assert.throws(() => autocast({ deviceType: 'cpu' }, async () => 1), /must be synchronous/);
  assert.equal(autocastState('cpu').enabled, false);
  assert.throws(() => autocast({ deviceType: 'cpu' }, () => { throw new Error('boom'); }), /boom/);
  assert.equal(autocastState('cpu').enabled, false);
});

test('inference mode records no autograd and marks what it makes', () => tidy(() => {
  const w = randn([3]).requiresGrad_();
  const y = inferenceMode(() => {
    assert.equal(isInferenceMode(), true);
    assert.equal(isGradEnabled(), false);
    return w.mul(2);
  });
  assert.equal(isInferenceMode(), false);
  assert.equal(y.isInference, true);
  assert.equal(y.requiresGrad, false);
  assert.equal(w.isInference, false);
  // Ordinary ops read inference tensors and give normal tensors...
  const z = y.add(1);
  assert.equal(z.isInference, false);
  // ...but an inference tensor cannot be updated in place outside inference mode.
  assert.throws(() => y.add_(1), /[Ii]nference/);
  assert.throws(() => inferenceMode(() => { throw new Error('inside'); }), /inside/);
  assert.equal(isInferenceMode(), false);
}));

test('channels-last copies report their memory format', () => tidy(() => {
  const x = randn([2, 3, 4, 5]);
  const cl = x.contiguous('channels_last');
  assert.equal(x.isContiguous(), true);
  assert.equal(x.isContiguous('channels_last'), false);
  assert.equal(cl.isContiguous('channels_last'), true);
  assert.equal(cl.isContiguous(), false);
  assert.equal(cl.sub(x).abs().max().item(), 0);
  assert.deepEqual(cl.toArray(), x.toArray());
}));

test('bf16 support is read from the CPU flags', () => {
  const amx = bf16Support('cpu', new Set(['avx512f', 'amx_bf16', 'amx_tile']));
  assert.equal(amx.native, true);
  assert.match(amx.reason, /amx_bf16/);
  assert.equal(bf16Support('cpu', new Set(['avx512f', 'avx512_bf16'])).native, true);
  const icelake = bf16Support('cpu', new Set(['avx2', 'avx512f', 'avx512_vnni']));
  assert.equal(icelake.native, false);
  assert.match(icelake.reason, /emulated/);
  assert.equal(bf16Support('cpu', null).native, false);
  const flags = cpuFlags('processor\t: 0\nflags\t\t: fpu sse avx512_bf16 amx_bf16\nbugs\t: none\n');
  assert.deepEqual([...flags!].sort(), ['amx_bf16', 'avx512_bf16', 'fpu', 'sse']);
  assert.equal(cpuFlags('no flags here'), null);
});
