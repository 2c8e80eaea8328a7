// Denoising models: the study's latent sizes, exact output shapes on odd sizes, the
// residual form of DnCNN and the U-Net, and registry names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';
import { convAutoencoder, ConvAutoencoder, dncnn, unetDenoiser, createModel } from '../../src/models/index.js';

const shapeOf = (m: { call(x: T.Tensor): T.Tensor }, input: number[]) => T.tidy(() => T.noGrad(() => m.call(T.rand(input)).shape));

test('the conv autoencoder presets have the study\'s latent maps for 80×80 inputs and give the image size back', () => {
  const expected: Record<string, [number, number, number]> = { '128x10x10': [128, 10, 10], '32x38x38': [32, 38, 38], '32x71x71': [32, 71, 71] };
  for (const [preset, latent] of Object.entries(expected)) {
    const m = createModel(`conv-autoencoder-${preset}`) as ConvAutoencoder;
    assert.deepEqual(m.latentShape, latent, preset);
    m.eval();
    assert.deepEqual(T.tidy(() => T.noGrad(() => m.encode(T.rand([1, 3, 80, 80])).shape)), [1, ...latent], `${preset} encoder`);
    assert.deepEqual(shapeOf(m, [2, 3, 80, 80]), [2, 3, 80, 80], `${preset} output`);
  }
});

test('the builder undoes pools, strides and valid convolutions exactly, also on odd sizes; outputs are in [0, 1]', () => {
  const m = convAutoencoder({
    inChannels: 1, inputSize: [27, 30], decoder: 'upsample', batchNorm: true,
    stages: [{ channels: 4 }, { channels: 6, kernel: 3, padding: 'valid', downsample: 'stride' }, { channels: 8, kernel: 2, padding: 'valid', downsample: 'none' }],
  });
  // 27×30 → pool 13×15 → valid stride-2 conv 6×7 → valid 2×2 conv 5×6.
  assert.deepEqual(m.latentShape, [8, 5, 6]);
  m.eval();
  const y = T.tidy(() => T.noGrad(() => T.keep(m.call(T.rand([2, 1, 27, 30])))));
  assert.deepEqual(y.shape, [2, 1, 27, 30]);
  assert.ok(y.min().item() >= 0 && y.max().item() <= 1);
  const t = convAutoencoder({ inChannels: 1, inputSize: 29, stages: [{ channels: 4, downsample: 'stride' }, { channels: 4 }] });
  assert.deepEqual(shapeOf(t, [1, 1, 29, 29]), [1, 1, 29, 29]);
  assert.throws(() => convAutoencoder({ inputSize: 4, stages: [{ channels: 2 }, { channels: 2 }, { channels: 2 }] }), /input 4×4 shrinks to nothing at stage 2/);
  assert.throws(() => convAutoencoder({ stages: [{ channels: 2, kernel: 4 }] }), /stages\[0\]: 'same' padding needs an odd kernel, got 4/);
  assert.throws(() => convAutoencoder({ preset: 'huge' as never }), /unknown preset 'huge'/);
});

test('DnCNN and the U-Net subtract the noise they predict; the U-Net takes odd sizes', () => {
  const d = dncnn({ depth: 4, features: 8 });
  d.eval();
  T.tidy(() => T.noGrad(() => {
    const x = T.rand([2, 1, 15, 15]);
    assert.ok(d.call(x).sub(x.sub(d.predictNoise(x))).abs().max().item() < 1e-6);
  }));
  assert.equal(d.numParameters(), 1 * 8 * 9 + 8 + 2 * (8 * 8 * 9 + 2 * 8) + 8 * 9 + 1);
  assert.throws(() => dncnn({ depth: 1 }), /DnCnn: depth must be an integer >= 2, got 1/);
  const u = unetDenoiser({ inChannels: 3, widths: [4, 8, 16] });
  assert.deepEqual(shapeOf(u, [2, 3, 27, 30]), [2, 3, 27, 30]);
  const plain = unetDenoiser({ widths: [4, 8], residual: false });
  assert.deepEqual(shapeOf(plain, [1, 1, 28, 28]), [1, 1, 28, 28]);
  assert.throws(() => unetDenoiser({ widths: [4] }), /widths must list at least 2 levels/);
  for (const name of ['conv-autoencoder', 'dncnn', 'unet-denoiser']) assert.ok(createModel(name, { inChannels: 1, inputSize: 28 }));
});
