// Layer behaviour checked against hand-computed numbers (independent of PyTorch being
// installed): forward values, batch-norm statistics, dropout in train and eval, 'same'
// padding, containers, initialisation, the errors bad input gets, and a small network
// that learns.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor, arange, ones, rand, randn, manualSeed, noGrad, tidy, empty, setNumThreads, ops, autocast } from '../../src/torch/index.js';
import {
  Linear, Conv2d, ConvTranspose2d, BatchNorm1d, BatchNorm2d, Dropout, Dropout2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d,
  Flatten, Identity, Upsample, Sequential, ModuleList, ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, GELU, Hardswish, Hardsigmoid, Softmax, LogSoftmax,
  calculateFanInAndFanOut, calculateGain, kaimingUniform_, kaimingNormal_, xavierUniform_, xavierNormal_, zeros_, ones_, constant_, truncNormal_,
  functional as F,
} from '../../src/nn/index.js';

setNumThreads(1);

function close(actual: number[], expected: number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length, `length ${actual.length} vs ${expected.length}`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tol, `[${i}]: ${a} vs ${expected[i]}`));
}

function setWeights(m: { weight: Tensor; bias: Tensor | null }, weight: number[], bias?: number[]): void {
  noGrad(() => {
    m.weight.copy_(tensor(weight).reshape(m.weight.shape));
    if (bias) m.bias!.copy_(tensor(bias));
  });
}

describe('forward values', () => {
  test('Linear computes x Wᵀ + b', () => {
    const l = new Linear(2, 2);
    setWeights(l, [1, 2, 3, 4], [1, -1]);
    close(l.call(tensor([[1, 1], [0, 2]])).toFlatArray(), [4, 6, 5, 7]);
    assert.deepEqual(l.weight.shape, [2, 2]);
  });

  test('Conv2d with a 2x2 kernel of ones sums windows', () => {
    const c = new Conv2d(1, 1, 2);
    setWeights(c, [1, 1, 1, 1], [0.5]);
    const x = arange(9, undefined, 1, { dtype: 'float32' }).reshape(1, 1, 3, 3);
    close(c.call(x).toFlatArray(), [8.5, 12.5, 20.5, 24.5]);
  });

  test('ConvTranspose2d stride 2 scatters each pixel into a 2x2 block', () => {
    const c = new ConvTranspose2d(1, 1, 2, { stride: 2, bias: false });
    assert.deepEqual(c.weight.shape, [1, 1, 2, 2]);
    setWeights(c, [1, 2, 3, 4]);
    const y = c.call(tensor([[[[1, 10]]]]));
    assert.deepEqual(y.shape, [1, 1, 2, 4]);
    close(y.toFlatArray(), [1, 2, 10, 20, 3, 4, 30, 40]);
  });

  test("ConvTranspose2d with kernel = stride (1×1 conv + pixel shuffle) equals libtorch's transposed convolution, gradients included", () => {
    manualSeed(3);
    for (const [outputPadding, bias, channelsLast] of [[0, true, false], [1, true, true], [1, false, false]] as const) {
      tidy(() => {
        const w = randn([5, 3, 2, 2], { requiresGrad: true });
        const b = bias ? randn([3], { requiresGrad: true }) : null;
        const x0 = randn([2, 5, 4, 3]);
        const x = (channelsLast ? x0.contiguous('channels_last') : x0).detach();
        x.requiresGrad = true;
        const fast = F.convTranspose2d(x, w, b, { stride: 2, outputPadding });
        const reference = ops.conv_transpose2d$input(x, w, b, [2, 2], [0, 0], [outputPadding, outputPadding], 1, [1, 1]);
        assert.deepEqual(fast.shape, [2, 3, 8 + outputPadding, 6 + outputPadding]);
        close(fast.toFlatArray(), reference.toFlatArray(), 1e-5);
        const g = randn(fast.shape);
        const grads = (y: Tensor) => {
          for (const t of [x, w, b]) if (t?.grad) t.grad.zero_();
          y.backward(g);
          return [x, w, b].filter((t) => t !== null).map((t) => t!.grad!.toFlatArray());
        };
        const [gFast, gRef] = [grads(fast), grads(reference)];
        gFast.forEach((gr, i) => close(gr, gRef[i]!, 1e-4));
      });
    }
    // CPU autocast leaves libtorch's transposed convolution in float32 (a 1×1 convolution would run in bf16): so does visionlab's.
    tidy(() => {
      const [x, w, b] = [randn([1, 2, 3, 3]), randn([2, 4, 2, 2]), randn([4])];
      const [fast, reference] = autocast({ deviceType: 'cpu', dtype: 'bfloat16' }, () => [
        F.convTranspose2d(x, w, b, { stride: 2, outputPadding: 1 }), ops.conv_transpose2d$input(x, w, b, [2, 2], [0, 0], [1, 1], 1, [1, 1])]);
      assert.equal(reference!.dtype, 'float32');
      assert.equal(fast!.dtype, reference!.dtype);
      close(fast!.toFlatArray(), reference!.toFlatArray(), 1e-6);
    });
  });

  test('pooling of a 4x4 ramp', () => {
    const x = arange(16, undefined, 1, { dtype: 'float32' }).reshape(1, 1, 4, 4);
    close(new MaxPool2d(2).call(x).toFlatArray(), [5, 7, 13, 15]);
    close(new AvgPool2d(2).call(x).toFlatArray(), [2.5, 4.5, 10.5, 12.5]);
    close(new AdaptiveAvgPool2d(1).call(x).toFlatArray(), [7.5]);
    // 3x3 windows at stride 1 with 1 pixel of zero padding counted in the corners: (0+1+4+5)/9.
    close([new AvgPool2d(3, { stride: 1, padding: 1 }).call(x).toFlatArray()[0]!], [10 / 9]);
    close([new AvgPool2d(3, { stride: 1, padding: 1, countIncludePad: false }).call(x).toFlatArray()[0]!], [10 / 4]);
  });

  test('activations', () => {
    const x = tensor([-4, -1, 0, 1, 4, 7]);
    close(new ReLU().call(x).toFlatArray(), [0, 0, 0, 1, 4, 7]);
    close(new ReLU6().call(x).toFlatArray(), [0, 0, 0, 1, 4, 6]);
    close(new LeakyReLU(0.1).call(x).toFlatArray(), [-0.4, -0.1, 0, 1, 4, 7]);
    close(new Sigmoid().call(x).toFlatArray(), [-4, -1, 0, 1, 4, 7].map((v) => 1 / (1 + Math.exp(-v))));
    close(new Tanh().call(x).toFlatArray(), [-4, -1, 0, 1, 4, 7].map(Math.tanh));
    close(new Hardswish().call(x).toFlatArray(), [0, -1 / 3, 0, 2 / 3, 4, 7]);
    close(new Hardsigmoid().call(x).toFlatArray(), [0, 1 / 3, 0.5, 2 / 3, 1, 1]);
    // GELU(1) = Φ(1) = 0.8413447460685429 (standard normal CDF).
    close([new GELU().call(tensor([1])).item()], [0.8413447460685429]);
    const s = new Softmax(1).call(tensor([[0, Math.log(3)]]));
    close(s.toFlatArray(), [0.25, 0.75]);
    close(new LogSoftmax(-1).call(tensor([[0, Math.log(3)]])).toFlatArray(), [Math.log(0.25), Math.log(0.75)]);
  });

  test('Flatten, Identity, Upsample', () => {
    const x = arange(24, undefined, 1, { dtype: 'float32' }).reshape(2, 3, 2, 2);
    assert.deepEqual(new Flatten().call(x).shape, [2, 12]);
    assert.deepEqual(new Flatten(2).call(x).shape, [2, 3, 4]);
    assert.deepEqual(new Flatten(0, 1).call(x).shape, [6, 2, 2]);
    const id = new Identity();
    assert.equal(id.call(x), x);
    const up = new Upsample({ scaleFactor: 2 }).call(tensor([[[[1, 2], [3, 4]]]]));
    assert.deepEqual(up.toArray(), [[[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]]);
    // align_corners keeps the corner pixels and interpolates linearly between them.
    const bil = new Upsample({ size: [1, 3], mode: 'bilinear', alignCorners: true }).call(tensor([[[[0, 10]]]]));
    close(bil.toFlatArray(), [0, 5, 10]);
  });
});

describe('BatchNorm', () => {
  const x = (): Tensor => tensor([[1, 10], [3, 14]]);

  test('training normalises with batch statistics and updates running statistics', () => {
    const bn = new BatchNorm1d(2);
    assert.equal(bn.numBatchesTracked!.dtype, 'int64');
    // Batch mean [2, 12]; biased variance [1, 4] normalises, unbiased [2, 8] is tracked.
    close(bn.call(x()).toFlatArray(), [-1 / Math.sqrt(1 + 1e-5), -2 / Math.sqrt(4 + 1e-5), 1 / Math.sqrt(1 + 1e-5), 2 / Math.sqrt(4 + 1e-5)]);
    close(bn.runningMean!.toFlatArray(), [0.2, 1.2]);
    close(bn.runningVar!.toFlatArray(), [0.9 + 0.1 * 2, 0.9 + 0.1 * 8]);
    assert.equal(bn.numBatchesTracked!.item(), 1);
  });

  test('eval uses running statistics and leaves them alone', () => {
    const bn = new BatchNorm1d(2);
    bn.call(x());
    bn.eval();
    const y = bn.call(x()).toFlatArray();
    close(y, [(1 - 0.2) / Math.sqrt(1.1 + 1e-5), (10 - 1.2) / Math.sqrt(1.7 + 1e-5), (3 - 0.2) / Math.sqrt(1.1 + 1e-5), (14 - 1.2) / Math.sqrt(1.7 + 1e-5)], 1e-5);
    close(bn.runningMean!.toFlatArray(), [0.2, 1.2]);
    assert.equal(bn.numBatchesTracked!.item(), 1);
  });

  test('momentum null keeps a cumulative average', () => {
    const bn = new BatchNorm1d(2, { momentum: null });
    bn.call(x());
    bn.call(tensor([[5, 0], [7, 2]]));
    close(bn.runningMean!.toFlatArray(), [(2 + 6) / 2, (12 + 1) / 2]);
    close(bn.runningVar!.toFlatArray(), [(2 + 2) / 2, (8 + 2) / 2]);
    assert.equal(bn.numBatchesTracked!.item(), 2);
  });

  test('affine weight and bias apply after normalising; 2d normalises per channel', () => {
    const bn = new BatchNorm2d(2);
    noGrad(() => { bn.weight!.copy_(tensor([2, 3])); bn.bias!.copy_(tensor([1, -1])); });
    const input = tensor([[[[0, 2]], [[5, 5]]]]); // [1, 2, 1, 2]: channel 0 varies, channel 1 is constant
    // The constant channel normalises to 0 up to float32 rounding of its mean, amplified by 1/√eps.
    close(bn.call(input).toFlatArray(), [1 - 2 / Math.sqrt(1 + 1e-5), 1 + 2 / Math.sqrt(1 + 1e-5), -1, -1], 5e-4);
  });

  test('errors name the layer and the shape', () => {
    assert.throws(() => new BatchNorm2d(3).call(randn([2, 4, 5, 5])), /BatchNorm2d\(3\): expected 3 channels .* got shape \[2, 4, 5, 5\]/);
    assert.throws(() => new BatchNorm2d(3).call(randn([2, 3])), /BatchNorm2d\(3\): expected input \[N, C, H, W\], got shape \[2, 3\]/);
    assert.throws(() => new BatchNorm1d(3).call(randn([1, 3])), /more than 1 value per channel/);
    assert.doesNotThrow(() => new BatchNorm1d(3).eval().call(randn([1, 3])));
  });
});

describe('Dropout', () => {
  test('training zeroes about p of the elements and scales the rest by 1/(1-p); eval is the identity', () => {
    manualSeed(1);
    const d = new Dropout(0.25);
    const y = d.call(ones([100, 100])).toFlatArray();
    const zeros = y.filter((v) => v === 0).length / y.length;
    assert.ok(Math.abs(zeros - 0.25) < 0.02, `zero fraction ${zeros}`);
    assert.ok(y.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
    d.eval();
    assert.ok(d.call(ones([10, 10])).toFlatArray().every((v) => v === 1));
  });

  test('Dropout2d drops whole channels', () => {
    manualSeed(2);
    const y = new Dropout2d(0.5).call(ones([4, 50, 3, 3]));
    const perChannel = y.reshape(200, 9).toArray() as number[][];
    assert.ok(perChannel.every((c) => c.every((v) => v === c[0]) && (c[0] === 0 || c[0] === 2)));
    const dropped = perChannel.filter((c) => c[0] === 0).length / 200;
    assert.ok(Math.abs(dropped - 0.5) < 0.12, `dropped fraction ${dropped}`);
  });

  test('p outside [0, 1] is refused', () => {
    assert.throws(() => new Dropout(1.5), /Dropout: p must be in \[0, 1\], got 1.5/);
    assert.throws(() => new Dropout2d(-0.1), /Dropout2d: p must be in \[0, 1\]/);
  });
});

describe('convolution shapes and errors', () => {
  test("'same' keeps the size for every kernel and dilation", () => {
    for (const k of [1, 2, 3, 4, 5]) {
      for (const d of [1, 2, 3]) {
        const y = new Conv2d(1, 2, k, { padding: 'same', dilation: d }).call(randn([1, 1, 7, 8]));
        assert.deepEqual(y.shape, [1, 2, 7, 8], `kernel ${k} dilation ${d}`);
      }
    }
    assert.deepEqual(new Conv2d(2, 3, [2, 5], { padding: 'same', dilation: [3, 1] }).call(randn([2, 2, 6, 9])).shape, [2, 3, 6, 9]);
    assert.deepEqual(F.samePadding([4, 3], [1, 2]), [1, 2, 2, 2]);
    assert.throws(() => new Conv2d(1, 1, 3, { padding: 'same', stride: 2 }), /padding 'same' is not supported for strided convolutions/);
  });

  test("'valid' and numeric padding give PyTorch's output sizes", () => {
    assert.deepEqual(new Conv2d(1, 1, 3, { padding: 'valid' }).call(randn([1, 1, 7, 8])).shape, [1, 1, 5, 6]);
    // floor((7 + 2*1 - 3) / 2) + 1 = 4
    assert.deepEqual(new Conv2d(1, 1, 3, { padding: 1, stride: 2 }).call(randn([1, 1, 7, 7])).shape, [1, 1, 4, 4]);
    assert.deepEqual(new Conv2d(3, 4, 3).call(randn([3, 5, 5])).shape, [4, 3, 3], 'unbatched [C, H, W] input');
  });

  test('ConvTranspose2d picks the output padding for a requested output size', () => {
    const up = new ConvTranspose2d(2, 1, 3, { stride: 2, padding: 1 });
    const x = randn([1, 2, 4, 4]);
    // (4 - 1) * 2 - 2 * 1 + (3 - 1) + 1 = 7, and up to 7 + stride - 1 = 8
    assert.deepEqual(up.call(x).shape, [1, 1, 7, 7]);
    assert.deepEqual(up.call(x, [8, 8]).shape, [1, 1, 8, 8]);
    assert.deepEqual(up.call(x, [1, 1, 8, 7]).shape, [1, 1, 8, 7]);
    assert.throws(() => up.call(x, [9, 9]), /dimension 0 must be in \[7, 8\]/);
    assert.throws(() => new ConvTranspose2d(1, 1, 3, { stride: 2, outputPadding: 2 }), /outputPadding \[2,2\] must be smaller/);
  });

  test('bad input and configuration are reported with the layer and shape', () => {
    assert.throws(() => new Conv2d(3, 8, 3).call(randn([2, 4, 8, 8])), /Conv2d\(3, 8\): expected input \[N, 3, H, W\], got shape \[2, 4, 8, 8\]/);
    assert.throws(() => new Conv2d(3, 8, 3).call(randn([2, 3])), /Conv2d\(3, 8\): expected input \[N, 3, H, W\], got shape \[2, 3\]/);
    assert.throws(() => new Conv2d(3, 8, 3, { groups: 2 }), /inChannels \(3\) must be divisible by groups \(2\)/);
    assert.throws(() => new Conv2d(4, 6, 0), /Conv2d kernelSize must be an integer >= 1/);
    assert.throws(() => new Conv2d(4, 6, 3, { paddingMode: 'mirror' as never }), /paddingMode must be/);
    assert.throws(() => new Linear(4, 2).call(randn([3, 5])), /Linear\(4, 2\): expected input \[\.\.\., 4\], got shape \[3, 5\]/);
    assert.throws(() => new Linear(0, 2), /Linear inFeatures must be a positive integer, got 0/);
    assert.throws(() => new MaxPool2d(2, { padding: 2 }), /padding \[2,2\] must be at most half the kernel size/);
    assert.throws(() => new MaxPool2d(2).call(randn([4, 4])), /MaxPool2d: expected input \[N, C, H, W\] or \[C, H, W\], got shape \[4, 4\]/);
    assert.throws(() => new Upsample({}), /exactly one of size and scaleFactor/);
    assert.throws(() => new Upsample({ scaleFactor: 2, alignCorners: true }), /alignCorners only applies to mode 'bilinear'/);
    assert.throws(() => new AdaptiveAvgPool2d(0), /AdaptiveAvgPool2d: outputSize must be a positive integer/);
    assert.throws(() => new Flatten(2, 5).call(randn([2, 3, 4])), /Flatten\(2, 5\): dims out of range for input of shape \[2, 3, 4\]/);
  });
});

describe('containers', () => {
  test('Sequential names children by position, chains them, and supports add/at/length', () => {
    const a = new Linear(2, 3), b = new ReLU(), c = new Linear(3, 1);
    const s = new Sequential(a, b);
    assert.equal(s.add(c), s);
    assert.equal(s.length, 3);
    assert.deepEqual([...s.namedChildren()].map(([n]) => n), ['0', '1', '2']);
    assert.equal(s.at(0), a);
    assert.equal(s.at(-1), c);
    assert.deepEqual([...s], [a, b, c]);
    assert.throws(() => s.at(3), /index 3 out of range \(length 3\)/);
    assert.deepEqual([...s.stateDict().keys()], ['0.weight', '0.bias', '2.weight', '2.bias']);
    const x = randn([4, 2]);
    close(s.call(x).toFlatArray(), c.call(b.call(a.call(x))).toFlatArray());
    assert.throws(() => new Sequential(a, 5 as never), /Sequential: argument 1 is not a Module \(got number\)/);
  });

  test('Sequential.fromEntries keeps the given names', () => {
    const s = Sequential.fromEntries([['conv', new Conv2d(1, 2, 3)], ['act', new ReLU()]]);
    assert.deepEqual([...s.stateDict().keys()], ['conv.weight', 'conv.bias']);
    assert.deepEqual(s.call(randn([1, 1, 5, 5])).shape, [1, 2, 3, 3]);
    assert.throws(() => Sequential.fromEntries([['x', new ReLU()], ['x', new ReLU()]]), /duplicate name 'x'/);
  });

  test('ModuleList registers its modules', () => {
    const l = new ModuleList([new Linear(2, 2), new Linear(2, 1, { bias: false })]);
    assert.equal(l.length, 2);
    assert.deepEqual([...l.stateDict().keys()], ['0.weight', '0.bias', '1.weight']);
  });
});

describe('initialisation', () => {
  test('fans and gains', () => {
    assert.deepEqual(calculateFanInAndFanOut(empty([8, 4, 3, 3])), { fanIn: 36, fanOut: 72 });
    assert.deepEqual(calculateFanInAndFanOut(empty([5, 7])), { fanIn: 7, fanOut: 5 });
    assert.throws(() => calculateFanInAndFanOut(empty([5])), /fewer than 2 dimensions \(shape \[5\]\)/);
    assert.equal(calculateGain('relu'), Math.SQRT2);
    assert.equal(calculateGain('tanh'), 5 / 3);
    assert.equal(calculateGain('conv2d'), 1);
    assert.equal(calculateGain('selu'), 0.75);
    close([calculateGain('leaky_relu', Math.sqrt(5))], [Math.sqrt(1 / 3)]);
    close([calculateGain('leaky_relu')], [Math.sqrt(2 / 1.0001)]);
  });

  test('kaiming and xavier draw with the documented bounds and spreads', () => {
    manualSeed(3);
    const w = empty([64, 32, 3, 3]);
    const stats = (t: Tensor): { max: number; std: number } => ({ max: t.abs().max().item(), std: t.std().item() });
    let s = stats(kaimingUniform_(w));
    const bound = Math.sqrt(6 / 288); // gain √2 (leaky_relu, a=0) × √3 / √fanIn
    assert.ok(s.max <= bound && s.max > 0.99 * bound, `max ${s.max} vs bound ${bound}`);
    assert.ok(Math.abs(s.std - bound / Math.sqrt(3)) < 0.03 * bound, `std ${s.std}`);
    s = stats(kaimingNormal_(w, { mode: 'fan_out', nonlinearity: 'relu' }));
    assert.ok(Math.abs(s.std / Math.sqrt(2 / 576) - 1) < 0.03, `std ${s.std}`);
    const v = empty([100, 50]);
    s = stats(xavierUniform_(v));
    assert.ok(s.max <= 0.2 && s.max > 0.198, `max ${s.max}`); // √(6 / 150)
    s = stats(xavierNormal_(v, 2));
    assert.ok(Math.abs(s.std / (2 * Math.sqrt(2 / 150)) - 1) < 0.05, `std ${s.std}`);
    const t = truncNormal_(empty([10000]), 0, 1, -0.5, 0.5);
    assert.ok(t.abs().max().item() <= 0.5);
    // Var of N(0,1) truncated to ±0.5: 1 - 2·0.5·φ(0.5)/(2Φ(0.5) - 1) = 0.080589
    assert.ok(Math.abs(t.var().item() - 0.080589) < 0.004, `var ${t.var().item()}`);
  });

  test('constants, and in-place on parameters that require grad', () => {
    const l = new Linear(3, 2);
    assert.equal(l.weight.requiresGrad, true);
    assert.ok(zeros_(l.weight).toFlatArray().every((v) => v === 0));
    assert.ok(ones_(l.bias!).toFlatArray().every((v) => v === 1));
    assert.ok(constant_(l.weight, 0.5).toFlatArray().every((v) => v === 0.5));
    assert.equal(l.weight.isLeaf, true);
  });

  test('manualSeed makes models reproducible, and defaults follow PyTorch bounds', () => {
    manualSeed(11);
    const a = new Conv2d(3, 4, 3);
    manualSeed(11);
    const b = new Conv2d(3, 4, 3);
    assert.deepEqual(a.weight.toFlatArray(), b.weight.toFlatArray());
    assert.deepEqual(a.bias!.toFlatArray(), b.bias!.toFlatArray());
    // kaiming_uniform_(a=√5) gives U(±1/√fanIn), as does the bias.
    assert.ok(a.weight.abs().max().item() <= 1 / Math.sqrt(27));
    assert.ok(a.bias!.abs().max().item() <= 1 / Math.sqrt(27));
    const bn = new BatchNorm2d(4);
    assert.deepEqual(bn.weight!.toFlatArray(), [1, 1, 1, 1]);
    assert.deepEqual(bn.bias!.toFlatArray(), [0, 0, 0, 0]);
  });
});

test('a small MLP learns XOR-quadrant labels with plain gradient descent', () => {
  manualSeed(5);
  const x = rand([256, 2]).mul(2).sub(1);
  const y = x.select(1, 0).mul(x.select(1, 1)).gt(0).long();
  const model = new Sequential(new Linear(2, 32), new Tanh(), new Linear(32, 2));
  const accuracy = (): number => noGrad(() => tidy(() => model.call(x).argmax(1).eq(y).float().mean().item()));
  const before = accuracy();
  for (let step = 0; step < 400; step++) {
    tidy(() => {
      const logp = F.logSoftmax(model.call(x), 1);
      const loss = logp.gather(1, y.unsqueeze(1)).mean().neg();
      model.zeroGrad();
      loss.backward();
      noGrad(() => { for (const p of model.parameters()) p.sub_(p.grad!.mul(0.5)); });
    });
  }
  const after = accuracy();
  assert.ok(before < 0.7, `accuracy before training ${before}`);
  assert.ok(after > 0.9, `accuracy after training ${after}`);
});
