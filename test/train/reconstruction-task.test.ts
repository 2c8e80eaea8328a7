// The reconstruction task: its losses and metrics, and a tiny denoiser trained through
// fit() that ends well above the PSNR of its noisy inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';
import { TensorDataset, DataLoader, AdditiveGaussianNoise, Rng } from '../../src/data/index.js';
import { unetDenoiser } from '../../src/models/index.js';
import { Adam } from '../../src/optim/index.js';
import { fit, evaluate, predict, ReconstructionTask, reconstructionLoss, resolveMode, clampWhereTargetOnBound } from '../../src/train/index.js';
import { ssimPer, psnrPer } from '../../src/metrics/index.js';

const near = (a: number, b: number, tol: number, what = '') => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b}`);

/** n piecewise-constant 1×16×16 images: two random rectangles of random brightness on a dark background. */
function rectangles(n: number, seed: number): T.Tensor {
  const g = new Rng(seed);
  const data = new Uint8Array(n * 256);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < 2; r++) {
      const [y0, x0] = [g.int(10), g.int(10)];
      const [h, w] = [3 + g.int(6), 3 + g.int(6)];
      const v = 80 + g.int(170);
      for (let y = y0; y < Math.min(16, y0 + h); y++) for (let x = x0; x < Math.min(16, x0 + w); x++) data[i * 256 + y * 16 + x] = v;
    }
  }
  return T.tensor(data, { shape: [n, 1, 16, 16] });
}

test('losses: MSE, L1, SSIM, PSNR and weighted mixtures per image; bad specs are named', () => {
  const a = T.full([2, 1, 12, 12], 0.5);
  const b = T.cat([T.full([1, 1, 12, 12], 0.7), T.full([1, 1, 12, 12], 0.5)]);
  near(reconstructionLoss('mse').fn(a, b).toFlatArray()[0]!, 0.04, 1e-6);
  near(reconstructionLoss('l1').fn(a, b).toFlatArray()[0]!, 0.2, 1e-6);
  const ssim = reconstructionLoss('ssim').fn(a, b).toFlatArray();
  near(ssim[1]!, 0, 1e-6, 'identical images have SSIM loss 0');
  near(ssim[0]!, 1 - ssimPer(a, b).toFlatArray()[0]!, 1e-7);
  // The PSNR loss is the negative PSNR in dB: the first pair's MSE is 0.04, its PSNR 13.98 dB, its loss -13.98.
  const psnr = reconstructionLoss('psnr').fn(a, b).toFlatArray();
  near(psnr[0]!, -psnrPer(a, b).toFlatArray()[0]!, 1e-4);
  near(psnr[0]!, 10 * Math.log10(0.04 + 1e-8), 1e-4);
  near(psnr[1]!, -80, 1e-3, 'identical images: capped at 80 dB');
  const mix = reconstructionLoss({ ssim: 0.84, l1: 0.16 });
  assert.equal(mix.name, 'ssim*0.84+l1*0.16');
  near(mix.fn(a, b).toFlatArray()[0]!, 0.84 * ssim[0]! + 0.16 * 0.2, 1e-6);
  assert.throws(() => reconstructionLoss('huber' as never), /unknown loss 'huber' \(expected mse, l1, ssim, psnr or a mixture/);
  assert.throws(() => reconstructionLoss({ mse: -1 }), /the weight of 'mse' must be a positive number, got -1/);
  assert.throws(() => reconstructionLoss({}), /no term with a positive weight/);
  const task = new ReconstructionTask({ loss: 'l1' });
  const batch = { inputs: a, targets: b, indices: new Int32Array([0, 1]) };
  assert.deepEqual(task.loss(a, batch, 'none').shape, [2]);
  near(task.loss(a, batch, 'mean').item(), 0.1, 1e-6);
  assert.throws(() => task.loss(T.zeros([2, 1, 12, 11]), batch, 'mean'), /outputs \[2,1,12,11\] do not match the target images \[2,1,12,12\]/);
  assert.deepEqual(task.metricNames, ['psnr', 'ssim', 'mse', 'mae', 'input_psnr', 'input_ssim', 'input_mse', 'input_mae']);
  assert.deepEqual(new ReconstructionTask({ scoreInputs: false }).metricNames, ['psnr', 'ssim', 'mse', 'mae']);
  assert.equal(resolveMode('val_psnr'), 'max');
  assert.equal(resolveMode('val_ssim'), 'max');
  assert.equal(resolveMode('val_mae'), 'min');
});

test('the loss scores outputs as clamped where the target sits on the range bound, and keeps every other gradient', () => {
  // Targets: 0 (black), 0.5, 1 (white), 0. Outputs: below 0 on black (exact once clamped), past 1 on a
  // mid-grey target (wrong, and must still be pulled back), above 1 on white (exact), above 0 on black (wrong).
  const targets = T.tensor([0, 0.5, 1, 0], { shape: [1, 1, 2, 2] });
  const outputs = T.tensor([-0.3, 1.2, 1.4, 0.1], { shape: [1, 1, 2, 2], requiresGrad: true });
  assert.deepEqual([...clampWhereTargetOnBound(outputs, targets, [0, 1]).toFlatArray()].map((v) => +v.toFixed(6)), [0, 1.2, 1, 0.1]);
  const batch = { inputs: targets, targets, indices: new Int32Array([0]) };
  const loss = new ReconstructionTask().loss(outputs, batch, 'mean');
  near(loss.item(), (0.7 * 0.7 + 0.1 * 0.1) / 4, 1e-6, 'only the two wrong pixels count');
  loss.backward();
  const grad = [...outputs.grad!.toFlatArray()].map((v) => +v.toFixed(6));
  assert.deepEqual(grad, [0, 0.35, 0, 0.05], 'no pull on the pixels that clamp to their target');
  // clampedLoss: false scores the raw outputs.
  near(new ReconstructionTask({ clampedLoss: false }).loss(outputs, batch, 'mean').item(), (0.09 + 0.49 + 0.16 + 0.01) / 4, 1e-6);
});

test('a tiny U-Net denoiser trained with fit() beats its noisy inputs by several dB', async () => {
  T.manualSeed(0);
  const train = new TensorDataset(rectangles(192, 1), T.zeros([192]), ['image']);
  const val = new TensorDataset(rectangles(48, 2), T.zeros([48]), ['image']);
  const noise = (seed: number) => new AdditiveGaussianNoise(0.2, { clip: true, seed });
  const trainLoader = new DataLoader(train, { batchSize: 16, shuffle: true, seed: 3, noise: noise(3), prefetch: 0 });
  const valLoader = new DataLoader(val, { batchSize: 48, seed: 4, noise: noise(4), prefetch: 0 });
  const model = unetDenoiser({ widths: [8, 16] });
  const task = new ReconstructionTask({ loss: { mse: 1, ssim: 0.05 } });
  const history = await fit(model, trainLoader, { epochs: 6, optimizer: new Adam(model.parameters(), { lr: 5e-3 }), task, valData: valLoader, verbose: false });
  const first = history.epochs[0]!, last = history.epochs.at(-1)!;
  assert.ok(last.loss < first.loss, `training loss ${first.loss} -> ${last.loss}`);
  const v = await evaluate(model, valLoader, { task });
  assert.ok(v.metrics.input_psnr! > 13 && v.metrics.input_psnr! < 17, `input PSNR ${v.metrics.input_psnr}`);
  assert.ok(v.metrics.psnr! > v.metrics.input_psnr! + 4, `denoised ${v.metrics.psnr} dB vs noisy ${v.metrics.input_psnr} dB`);
  assert.ok(v.metrics.ssim! > v.metrics.input_ssim! + 0.1, `SSIM ${v.metrics.input_ssim} -> ${v.metrics.ssim}`);
  near(last.val_psnr!, v.metrics.psnr!, 1e-6, 'validation noise is the same on every pass');
  assert.ok(Number.isNaN(v.accuracy) && v.yTrue.length === 0);
  // Predictions are images, clamped to [0, 1].
  const p = await predict(model, valLoader, { task });
  assert.deepEqual(p.probs.shape, [48, 1, 16, 16]);
  assert.ok(p.probs.min().item() >= 0 && p.probs.max().item() <= 1);
  assert.equal(p.labels.length, 0);
  p.probs.dispose();
});
