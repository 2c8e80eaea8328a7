// Layer configurations beyond the zoo's (padding modes, dilation, groups, transposed
// convolutions, pooling, resizing, activations) match onnxruntime, and what ONNX cannot
// express is an error naming the module's path and class.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rand, manualSeed, type Tensor } from '../../src/torch/index.js';
import {
  Module, Sequential, Conv2d, ConvTranspose2d, Linear, BatchNorm1d, BatchNorm2d, ReLU, LeakyReLU, Sigmoid, Tanh, GELU,
  Hardswish, Hardsigmoid, Softmax, LogSoftmax, Flatten, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Upsample, Dropout2d, Identity,
} from '../../src/nn/index.js';
import { ColorHistogramLogReg } from '../../src/models/index.js';
import { exportOnnx, UnsupportedModuleError, registerOnnxExporter } from '../../src/export/index.js';
import { compareWithOnnxRuntime, randomizeBatchNorm, ONNX_TOLERANCE } from '../../bench/onnx-check.js';

async function assertMatches(model: Module, input: [number, number, number]): Promise<void> {
  randomizeBatchNorm(model);
  const r = await compareWithOnnxRuntime(model, rand([2, ...input]).mul(2).sub(1));
  assert.ok(r.maxAbsOutput > 1e-3, `largest |output| ${r.maxAbsOutput}`);
  assert.ok(r.maxAbsDiff <= ONNX_TOLERANCE, `max abs diff ${r.maxAbsDiff}`);
}

test('convolutions: same/reflect/replicate padding, dilation, groups, stride, transposed', async () => {
  manualSeed(1);
  await assertMatches(new Sequential(
    new Conv2d(3, 8, 4, { padding: 'same', dilation: 2 }), new ReLU(),
    new Conv2d(8, 8, 3, { padding: 2, paddingMode: 'reflect', groups: 4 }), new Tanh(),
    new Conv2d(8, 6, 3, { padding: 1, paddingMode: 'replicate', stride: 2, bias: false }), new BatchNorm2d(6),
    new ConvTranspose2d(6, 4, 3, { stride: 2, padding: 1, outputPadding: 1 }), new Sigmoid(),
  ), [3, 13, 11]);
});

test('pooling and resizing: max/avg with ceil mode, adaptive to uneven sizes, nearest and bilinear upsampling', async () => {
  manualSeed(2);
  await assertMatches(new Sequential(
    new Conv2d(2, 4, 3), new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
    new AvgPool2d(2, { stride: 1, countIncludePad: false, padding: 1 }),
    new Upsample({ scaleFactor: 2, mode: 'nearest' }), new Upsample({ size: [9, 7], mode: 'bilinear' }),
    new Upsample({ scaleFactor: 1.5, mode: 'bilinear', alignCorners: true }),
    new AdaptiveAvgPool2d([4, 3]), new Dropout2d(0.3), new Identity(),
  ), [2, 15, 17]);
});

test('activations and heads: GELU (exact and tanh), LeakyReLU, Hardswish, Hardsigmoid, BatchNorm1d, softmax, partial flatten', async () => {
  manualSeed(3);
  await assertMatches(new Sequential(
    new Conv2d(1, 4, 3), new GELU(), new Flatten(2), new Linear(36, 5), new GELU('tanh'), new Flatten(),
    new Linear(20, 16), new BatchNorm1d(16), new LeakyReLU(0.2), new Hardswish(), new Hardsigmoid(), new Linear(16, 4), new Softmax(1),
  ), [1, 8, 8]);
  await assertMatches(new Sequential(new Flatten(), new Linear(16, 3), new LogSoftmax(1)), [1, 4, 4]);
});

class TwoHeads extends Module {
  constructor() {
    super();
    this.registerModule('body', new Sequential(new Conv2d(1, 2, 3), new ReLU()));
  }
  override forward(x: Tensor): Tensor { return this.getModule('body', Sequential)!.call(x).flatten(1); }
}

/** Keeps Conv2d's constructor but computes something else, so Conv2d's exporter must not be used. */
class ShiftedConv extends Conv2d {
  override forward(x: Tensor): Tensor { return super.forward(x).add(1); }
}

test('a module without an exporter is an error naming its path and class', () => {
  const sample = rand([1, 1, 8, 8]);
  const nested = new Sequential(new Conv2d(1, 2, 3), new Sequential(new ReLU(), new TwoHeads()));
  assert.throws(() => exportOnnx(nested, sample), (e: Error) => {
    assert.ok(e instanceof UnsupportedModuleError);
    assert.match(e.message, /cannot export module '1\.1' \(TwoHeads\)/);
    return true;
  });
  assert.throws(() => exportOnnx(new Sequential(new ShiftedConv(1, 2, 3)), sample), /module '0' \(ShiftedConv\)/);
  assert.throws(() => exportOnnx(new ColorHistogramLogReg(3, 4), rand([1, 3, 8, 8])), /module '\(root\)' \(ColorHistogramLogReg\)/);
  assert.throws(() => exportOnnx(new Sequential(new Conv2d(1, 2, 3, { padding: 1, paddingMode: 'circular' })), sample),
    /module '0' \(Conv2d\): paddingMode 'circular'/);
  assert.throws(() => exportOnnx(new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2, { trackRunningStats: false })), sample),
    /module '1' \(BatchNorm2d\): it normalises with batch statistics/);
  assert.throws(() => exportOnnx(new Sequential(new Flatten(0)), sample), /module '0' \(Flatten\): flattening the batch/);
  assert.throws(() => exportOnnx(new Sequential(new Flatten()), sample, { mean: [0.5, 0.5], std: [1, 1] }), /options\.mean must list 1 finite numbers/);
  assert.throws(() => exportOnnx(new Sequential(new Flatten()), rand([1, 8, 8])), /sampleInput must be a float32 batch \[N, C, H, W\]/);
});

test('registerOnnxExporter teaches the exporter a new module class', async () => {
  registerOnnxExporter(TwoHeads, (m, x, ctx, path) => {
    const h = ctx.child(m, path, 'body', x);
    return { name: ctx.graph.node('Flatten', [h.name], `${path}.flatten`, { axis: 1 }), value: h.value.flatten(1) };
  });
  manualSeed(4);
  await assertMatches(new TwoHeads(), [1, 6, 6]);
});
