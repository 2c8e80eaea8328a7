import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as T from '../../src/torch/index.js';
import { msePer, maePer, psnrPer, ssimPer, gaussianWindow1d, ReconstructionMeter } from '../../src/metrics/index.js';
import { PYTHON, skipWithout } from '../support/require-reference.js';

const near = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tolerance ${tol})`);

/** Seeded smooth-ish test images in [0, 1]: a gradient plus blobs, and a noisy copy. */
function imagePair(n: number, c: number, h: number, w: number, seed: number): [T.Tensor, T.Tensor] {
  const gen = new T.Generator(seed);
  const base = T.rand([n, c, h, w], { generator: gen, dtype: 'float64' });
  const ramp = T.linspace(0, 1, w, { dtype: 'float64' }).reshape([1, 1, 1, w]);
  const clean = base.mul(0.3).add(ramp.mul(0.7));
  const noisy = clean.add(T.randn([n, c, h, w], { generator: gen, dtype: 'float64' }).mul(0.15)).clamp(0, 1);
  gen.dispose();
  return [clean, noisy];
}

test('MSE, MAE and PSNR of hand-made images', () => {
  const a = T.zeros([2, 1, 4, 4]);
  // Image 0 is off by 0.1 everywhere: MSE 0.01, MAE 0.1, PSNR 20 dB. Image 1 is exact.
  const b = T.cat([T.full([1, 1, 4, 4], 0.1), T.zeros([1, 1, 4, 4])]);
  near(msePer(a, b).toFlatArray()[0]!, 0.01, 1e-7);
  near(maePer(a, b).toFlatArray()[0]!, 0.1, 1e-7);
  const psnr = psnrPer(a, b).toFlatArray();
  near(psnr[0]!, 20, 1e-4);
  near(psnr[1]!, 100, 1e-3, 'an exact copy is capped at maxDb');
  near(psnrPer(a.mul(255), b.mul(255), { dataRange: 255 }).toFlatArray()[0]!, 20, 1e-4);
  assert.throws(() => psnrPer(a, T.zeros([2, 1, 4, 5])), /psnr|mse: shapes differ: \[2,1,4,4\] and \[2,1,4,5\]/);
  assert.throws(() => msePer(T.zeros([4, 4]), T.zeros([4, 4])), /mse: expected images \[N, C, H, W\], got shape \[4,4\]/);
});

test('SSIM: 1 for identical images, lower for noisy ones, symmetric, and the Gaussian window is scipy\'s', () => {
  const g = gaussianWindow1d(1.5, 3.5);
  assert.equal(g.length, 11);
  near(g.reduce((x, y) => x + y, 0), 1, 1e-12);
  near(g[5]! / g[0]!, Math.exp(0.5 * (5 / 1.5) ** 2), 1e-6);
  const [clean, noisy] = imagePair(2, 1, 24, 24, 3);
  const same = ssimPer(clean, clean).toFlatArray();
  for (const s of same) near(s, 1, 1e-9);
  const s1 = ssimPer(clean, noisy).toFlatArray();
  const s2 = ssimPer(noisy, clean).toFlatArray();
  for (let i = 0; i < 2; i++) {
    assert.ok(s1[i]! < 0.9 && s1[i]! > 0, `ssim ${s1[i]}`);
    near(s1[i]!, s2[i]!, 1e-12);
  }
  // A constant shift keeps structure and contrast: SSIM stays high but below 1.
  const shifted = ssimPer(clean, clean.add(0.05)).toFlatArray()[0]!;
  assert.ok(shifted > 0.95 && shifted < 1, `shifted ${shifted}`);
  assert.throws(() => ssimPer(T.zeros([1, 1, 8, 8]), T.zeros([1, 1, 8, 8])), /ssim: images of 8×8 are smaller than the 11×11 window/);
});

test('SSIM and PSNR equal scikit-image\'s to 1e-4 (grey and RGB, float32 and float64)', (t) => {
  const missing = skipWithout('skimage');
  if (missing) return t.skip(missing);
  const [clean, noisy] = imagePair(3, 3, 20, 27, 7);
  const script = `
import json, sys, numpy as np
from skimage.metrics import structural_similarity, peak_signal_noise_ratio
d = json.loads(sys.stdin.read())
a = np.array(d['a'], dtype=np.float64); b = np.array(d['b'], dtype=np.float64)
out = {'rgb': [], 'grey': [], 'psnr': []}
for i in range(a.shape[0]):
    out['rgb'].append(structural_similarity(a[i], b[i], channel_axis=0, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1))
    out['grey'].append(structural_similarity(a[i, 0], b[i, 0], gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1))
    out['psnr'].append(peak_signal_noise_ratio(a[i], b[i], data_range=1))
print(json.dumps(out))
`;
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify({ a: clean.toArray(), b: noisy.toArray() }), encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as { rgb: number[]; grey: number[]; psnr: number[] };
  for (const dtype of ['float64', 'float32'] as const) {
    const a = clean.to(dtype), b = noisy.to(dtype);
    const rgb = ssimPer(a, b).toFlatArray();
    const grey = ssimPer(a.narrow(1, 0, 1), b.narrow(1, 0, 1)).toFlatArray();
    const psnr = psnrPer(a, b).toFlatArray();
    for (let i = 0; i < 3; i++) {
      near(rgb[i]!, ref.rgb[i]!, 1e-4, `${dtype} RGB ssim ${i}`);
      near(grey[i]!, ref.grey[i]!, 1e-4, `${dtype} grey ssim ${i}`);
      near(psnr[i]!, ref.psnr[i]!, 1e-4, `${dtype} psnr ${i}`);
    }
  }
});

test('the meter averages per-image scores over batches, for outputs and inputs, and restores its state', () => {
  const [clean, noisy] = imagePair(6, 1, 16, 16, 11);
  const outputs = clean.add(noisy).div(2).to('float32');
  const meter = new ReconstructionMeter('cpu');
  assert.deepEqual(meter.names, ['psnr', 'ssim', 'mse', 'mae', 'input_psnr', 'input_ssim', 'input_mse', 'input_mae']);
  meter.update(outputs.narrow(0, 0, 4), clean.narrow(0, 0, 4), noisy.narrow(0, 0, 4).to('float32'));
  const saved = meter.stateDict();
  meter.update(outputs.narrow(0, 4, 2), clean.narrow(0, 4, 2), noisy.narrow(0, 4, 2).to('float32'));
  const v = meter.compute();
  const c32 = clean.to('float32');
  near(v.psnr!, psnrPer(outputs, c32).mean().item(), 1e-4, 'psnr');
  near(v.ssim!, ssimPer(outputs, c32).mean().item(), 1e-6, 'ssim');
  near(v.input_mse!, msePer(noisy.to('float32'), c32).mean().item(), 1e-7, 'input mse');
  assert.ok(v.psnr! > v.input_psnr!, 'averaging with the clean image is closer to it');
  const restored = new ReconstructionMeter('cpu');
  restored.loadStateDict(saved);
  restored.update(outputs.narrow(0, 4, 2), clean.narrow(0, 4, 2), noisy.narrow(0, 4, 2).to('float32'));
  for (const k of meter.names) near(restored.compute()[k]!, v[k]!, 1e-9, k);
  assert.throws(() => meter.update(outputs, clean), /inputs are scored too/);
  meter.dispose();
  restored.dispose();
});
