// A denoising experiment from a config, end to end: task denoise with noise, run files,
// report, triple grid and PSNR against noise level, the compare table's study columns, and `visionlab denoise`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validateConfig, runExperiment, readRunInfo, ConfigError } from '../../src/experiment/index.js';
import { summarizeRun, comparisonMarkdown } from '../../src/cli/compare.js';
import { denoiseCommand } from '../../src/cli/denoise.js';
import { encodePng, decodeImage } from '../../src/data/index.js';
import * as T from '../../src/torch/index.js';
import { writeSyntheticNpy } from '../cli/synthetic-data.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'visionlab-denoise-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const config = (over: Record<string, unknown> = {}) => ({
  name: 'denoise-tiny', seed: 0,
  dataset: { kind: 'npy', root: path.join(tmp, 'data') },
  task: 'denoise', noise: { kind: 'gaussian', std: 0.2 }, loss: { mse: 1, ssim: 0.05 },
  model: { name: 'unet-denoiser', widths: [4, 8] },
  optimizer: { name: 'adam', lr: 0.01 }, epochs: 3, batchSize: 16,
  ...over,
});

const message = (fn: () => unknown): string => {
  try { fn(); } catch (e) { assert.ok(e instanceof ConfigError, String(e)); return e.message; }
  assert.fail('expected a ConfigError');
};

test('denoise configs: noise kinds, defaults and the fields only denoising takes', () => {
  const c = validateConfig(config());
  assert.deepEqual(c.noise, { kind: 'gaussian', std: 0.2, clip: true });
  assert.deepEqual(validateConfig(config({ noise: { kind: 'gaussian', std: [0, 0.5] } })).noise, { kind: 'gaussian', std: [0, 0.5], clip: true });
  for (const noise of [{ kind: 'salt-and-pepper', amount: 0.1 }, { kind: 'poisson', peak: 20 }, { kind: 'masking', p: 0.3 }]) validateConfig(config({ noise }));
  assert.equal(validateConfig(config({ model: { name: 'dncnn', depth: 5, features: 16 } })).model.depth, 5);
  assert.match(message(() => validateConfig(config({ model: { name: 'fashion-cnn' } }))), /config\.model\.name: task 'denoise' needs a model that outputs images/);
  assert.match(message(() => validateConfig(config({ task: 'classification', noise: undefined, loss: undefined }))), /config\.model\.name: 'unet-denoiser' outputs images: use it with task 'denoise'/);
  assert.match(message(() => validateConfig(config({ noise: undefined }))), /config\.noise: required for task 'denoise'/);
  assert.match(message(() => validateConfig(config({ noise: { kind: 'speckle' } }))), /config\.noise.*'speckle' is not one of gaussian, salt-and-pepper, poisson, masking/);
  assert.match(message(() => validateConfig(config({ transforms: { normalize: 'auto' } }))), /config\.transforms\.normalize: must be 'none' for task 'denoise'/);
  assert.match(message(() => validateConfig(config({ loss: 'huber' }))), /config\.loss: expected one of mse, l1, ssim, psnr or weights/);
  assert.match(message(() => validateConfig(config({ task: 'classification', loss: undefined }))), /config\.noise: only task 'denoise' takes noise/);
});

test('a denoising run trains, reports noisy and denoised scores, draws triples, compares and denoises files', async () => {
  writeSyntheticNpy(path.join(tmp, 'data'), 160, 48);
  // Trained blind (a std per image in [0.1, 0.3]), so the report also sweeps the noise level.
  const r = await runExperiment(config({ noise: { kind: 'gaussian', std: [0.1, 0.3] } }), { runsRoot: path.join(tmp, 'runs'), quiet: true });
  const info = readRunInfo(r.runDir);
  assert.equal(info.task?.name, 'reconstruction');
  assert.equal(info.task?.primaryMetric, 'psnr');
  // The images carry their own pixel noise, which no denoiser can predict: the gain is modest but clear.
  assert.ok(info.test.psnr! > info.test.input_psnr! + 0.5, `test PSNR ${info.test.input_psnr} -> ${info.test.psnr}`);
  assert.ok(info.parameters! > 0);
  for (const f of ['denoising.png', 'learning_curves.png', 'report.html', 'metrics.json', 'model.safetensors']) assert.ok(existsSync(path.join(r.runDir, f)), f);
  const metrics = JSON.parse(readFileSync(path.join(r.runDir, 'metrics.json'), 'utf8')) as Record<string, number>;
  assert.equal(metrics.test_psnr, info.test.psnr);
  const sweep = readFileSync(path.join(r.runDir, 'psnr_by_noise_level.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
  assert.deepEqual(sweep.map((row) => Number(row[0]!.toFixed(2))), [0.1, 0.14, 0.18, 0.22, 0.26, 0.3]);
  for (let i = 1; i < sweep.length; i++) assert.ok(sweep[i]![3]! < sweep[i - 1]![3]!, 'noisier inputs have lower PSNR');
  assert.ok(existsSync(path.join(r.runDir, 'psnr_by_noise_level.png')));

  const row = summarizeRun(r.runDir);
  assert.equal(row.metric, 'psnr');
  const table = comparisonMarkdown([row]);
  assert.match(table, /best train psnr .* test psnr \| latent \| parameters \| test ssim \| test input psnr \|/);
  assert.ok(table.includes(`| ${info.parameters} |`));

  // The CLI: a clean image and its noisy version through the run's model.
  const file = path.join(tmp, 'square.png');
  // Like the training images' squares (grey 40 on 200), without their pixel noise.
  const img = T.full([1, 16, 16], 40 / 255);
  img.narrow(1, 4, 8).narrow(2, 4, 8).fill_(200 / 255);
  writeFileSync(file, await encodePng(img));
  const out = path.join(tmp, 'denoised');
  const logs: string[] = [];
  const log = console.log;
  console.log = (s: string) => logs.push(s);
  try {
    await denoiseCommand.run([r.runDir, file, '--out', out, '--add-noise']);
  } finally {
    console.log = log;
  }
  assert.match(logs.join('\n'), /square\.png -> .*denoised\/square\.png/);
  const noisy = await decodeImage(path.join(out, 'square-noisy.png'), { channels: 1 });
  const denoised = await decodeImage(path.join(out, 'square.png'), { channels: 1 });
  const clean = await decodeImage(file, { channels: 1 });
  const err = (x: T.Tensor) => x.float().sub(clean.float()).abs().mean().item();
  assert.ok(err(denoised) < err(noisy), `mean error ${err(noisy)} (noisy) -> ${err(denoised)} (denoised)`);
  await assert.rejects(denoiseCommand.run([r.runDir, file]), /--out DIR is required/);
});
