// Gradients of every layer with parameters or a non-trivial backward, against float64
// central differences (with respect to the input and to every parameter).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, manualSeed, randn, gradcheck, tidy, setNumThreads } from '../../src/torch/index.js';
import { Module, Linear, Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, BatchNorm2d, BatchNorm1d, Upsample } from '../../src/nn/index.js';

// Thousands of tiny ops: one thread avoids OpenMP hand-offs that dominate on a busy machine.
setNumThreads(1);

/** Checks d(module(x))/d(x, params) and returns how many elements were checked. */
function checkModule(m: Module, inputShape: number[]): number {
  m.to('float64');
  return tidy(() => {
    const x = randn(inputShape, { dtype: 'float64', requiresGrad: true });
    const params = m.parameters();
    for (const p of params) assert.equal(p.dtype, 'float64');
    return gradcheck((input: Tensor) => m.call(input), [x, ...params]);
  });
}

const cases: [string, () => Module, number[], number][] = [
  // [name, layer, input shape, elements checked = input + parameters]
  ['Linear', () => new Linear(4, 3), [2, 4], 8 + 12 + 3],
  ['Conv2d stride 2, padding 1, dilation 1', () => new Conv2d(2, 3, 3, { stride: 2, padding: 1 }), [1, 2, 5, 5], 50 + 54 + 3],
  ['Conv2d dilation 2, groups 2', () => new Conv2d(4, 2, 2, { dilation: 2, groups: 2 }), [1, 4, 4, 4], 64 + 16 + 2],
  ['Conv2d same (even kernel), reflect', () => new Conv2d(1, 2, 2, { padding: 'same', paddingMode: 'reflect' }), [1, 1, 4, 4], 16 + 8 + 2],
  ['ConvTranspose2d stride 2, outputPadding 1', () => new ConvTranspose2d(2, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }), [1, 2, 3, 3], 18 + 36 + 2],
  ['ConvTranspose2d kernel = stride 2, outputPadding 1', () => new ConvTranspose2d(3, 2, 2, { stride: 2, outputPadding: 1 }), [1, 3, 2, 3], 18 + 24 + 2],
  ['ConvTranspose2d groups 2, dilation 2', () => new ConvTranspose2d(2, 4, 2, { groups: 2, dilation: 2, stride: 2 }), [1, 2, 2, 2], 8 + 16 + 4],
  ['MaxPool2d', () => new MaxPool2d(2, { stride: 1, padding: 1 }), [1, 2, 3, 3], 18],
  ['AvgPool2d', () => new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false, ceilMode: true }), [1, 1, 4, 4], 16],
  ['AdaptiveAvgPool2d', () => new AdaptiveAvgPool2d([2, 3]), [1, 2, 5, 4], 40],
  ['BatchNorm2d (training)', () => new BatchNorm2d(2), [3, 2, 2, 2], 24 + 4],
  ['BatchNorm1d (training)', () => new BatchNorm1d(3), [4, 3], 12 + 6],
  ['Upsample bilinear', () => new Upsample({ scaleFactor: 2, mode: 'bilinear' }), [1, 1, 2, 3], 6],
];

for (const [name, make, shape, expected] of cases) {
  test(`gradcheck: ${name}`, () => {
    manualSeed(7);
    const m = make();
    assert.equal(m.training, true);
    assert.equal(checkModule(m, shape), expected);
  });
}

test('gradcheck catches a wrong gradient (the check itself can fail)', () => {
  manualSeed(7);
  const m = new Linear(3, 2).to('float64');
  const x = randn([2, 3], { dtype: 'float64', requiresGrad: true });
  // detach() hides the weight from autograd, so its analytical gradient is zero.
  assert.throws(() => gradcheck((input: Tensor) => input.matmul(m.weight.detach().t()).add(m.weight.sum()), [x, m.weight]), /gradcheck failed/);
});
