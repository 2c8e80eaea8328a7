// `visionlab export --format onnx` on segmentation and denoising runs trained through the
// CLI on tiny data: the file gives the run's outputs in onnxruntime-node, its metadata
// says what the output is; `--format web` draws a segmentation model's mask in chromium
// and refuses a denoiser with a message that says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rand, tensor, manualSeed, tidy, noGrad } from '../../src/torch/index.js';
import { makeScenes, decodeImage, writeImage } from '../../src/data/index.js';
import { openRun } from '../../src/experiment/index.js';
import { decodeOnnxModel } from '../../src/export/index.js';
import { onnxSession, runOnnx, maxAbsDiff, ONNX_TOLERANCE } from '../../bench/onnx-check.js';
import { writeSyntheticNpy, SIZE } from '../cli/synthetic-data.js';
import { skipWithout, CHROMIUM } from '../support/require-reference.js';
import { buildWebPage } from '../../scripts/build-web-page.js';
import { serveStatic } from './static-server.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, VISIONLAB_QUIET: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let tmp = '';

before(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'visionlab-export-tasks-'));
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Trains `config` (YAML) through the CLI and returns the run directory. */
function train(name: string, config: string): string {
  writeFileSync(path.join(tmp, `${name}.yaml`), config);
  const runs = path.join(tmp, `runs-${name}`);
  const trained = cli('train', path.join(tmp, `${name}.yaml`), '--runs', runs, '--quiet');
  assert.equal(trained.code, 0, trained.stderr);
  return path.join(runs, readdirSync(runs)[0]!);
}

/** Exports the run, checks the printed shapes and the metadata, and compares onnxruntime with the run's model on random pixels. */
async function assertExportMatches(runDir: string, outputLine: RegExp, kind: string): Promise<Record<string, string>> {
  const out = path.join(tmp, `${path.basename(runDir)}.onnx`);
  const r = cli('export', runDir, '--format', 'onnx', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, outputLine);
  const bytes = readFileSync(out);
  const meta = Object.fromEntries((decodeOnnxModel(bytes) as { metadataProps: { key: string; value: string }[] }).metadataProps.map((e) => [e.key, e.value]));
  assert.equal(meta.output_kind, kind);

  const run = await openRun(runDir);
  manualSeed(4);
  const pixels = rand([2, ...run.inputShape]);
  // The run's test transform would also scale bytes; on float pixels only its normalisation applies.
  const norm = run.config.transforms.normalize;
  const ours = tidy(() => noGrad(() => {
    const c = run.inputShape[0];
    const x = typeof norm === 'object'
      ? pixels.sub(tensor(norm.mean, { shape: [1, c, 1, 1] })).div(tensor(norm.std, { shape: [1, c, 1, 1] })) : pixels;
    return run.model.call(x).contiguous().toTypedArray() as Float32Array;
  }));
  const session = await onnxSession(bytes);
  const theirs = await runOnnx(session, pixels);
  await session.release();
  assert.ok(maxAbsDiff(ours, theirs.data) <= ONNX_TOLERANCE, `max abs diff ${maxAbsDiff(ours, theirs.data)}`);

  return meta;
}

test('export a denoising run: onnx output is an image of the input\'s shape; web refuses', async () => {
  const data = path.join(tmp, 'npy');
  writeSyntheticNpy(data, 60, 20);
  const runDir = train('denoise', `name: tiny-denoise
seed: 1
task: denoise
noise: {kind: gaussian, std: 0.2}
dataset: {kind: npy, root: ${data}}
split: {val: 0.1}
transforms: {normalize: none}
model: {name: dncnn, depth: 3, features: 4}
optimizer: {name: adam, lr: 0.003}
epochs: 1
batchSize: 16
`);
  const meta = await assertExportMatches(runDir, new RegExp(`output image \\[batch, 1, ${SIZE}, ${SIZE}\\]`), 'image');
  const site = path.join(tmp, 'denoise-site');
  const web = cli('export', runDir, '--format', 'web', '--out', site);
  assert.equal(web.code, 1);
  assert.match(web.stderr, /--format web makes a page for classifiers and segmentation models, but run .* is a denoise run .*export it with --format onnx/);
  assert.ok(!existsSync(path.join(site, 'model.onnx')), 'no page is written');
  assert.equal(meta.output, 'image');
  assert.equal(meta.task, 'denoise');
  assert.equal(meta.class_names, undefined, 'a denoiser\'s output has no classes');
});

test('export a segmentation run: onnx output is per-pixel logits at the input size; the web page draws its mask', { skip: skipWithout('fashion-mnist', 'chromium') }, async () => {
  const scenes = path.join(tmp, 'scenes');
  await makeScenes(scenes, { seed: 2, size: 32, counts: { train: 8, val: 2, test: 2 } });
  const runDir = train('segment', `name: tiny-segment
seed: 0
task: segmentation
dataset: {kind: voc, root: ${scenes}}
split: {val: 2}
transforms: {normalize: auto}
model: {name: deeplabv3plus-mobilenetv2, widthMult: 0.25, asppChannels: 8, decoderChannels: 8}
optimizer: {name: adam, lr: 0.003}
epochs: 1
batchSize: 4
`);
  const run = await openRun(runDir);
  const classes = run.info.classNames.length;
  const meta = await assertExportMatches(runDir, new RegExp(`output logits \\[batch, ${classes}, 32, 32\\]`), 'pixel-logits');
  assert.deepEqual(JSON.parse(meta.class_names!), run.info.classNames);
  assert.equal(meta.task, 'segmentation');

  // The web page draws the mask visionlab predicts for a test image.
  await buildWebPage();
  const site = path.join(tmp, 'segment-site');
  const web = cli('export', runDir, '--format', 'web', '--out', site);
  assert.equal(web.code, 0, web.stderr);
  assert.equal(JSON.parse(readFileSync(path.join(site, 'model.json'), 'utf8')).kind, 'segmentation');
  const stem = readFileSync(path.join(scenes, 'ImageSets', 'Segmentation', 'test.txt'), 'utf8').trim().split('\n')[0]!;
  const image = await decodeImage(path.join(scenes, 'JPEGImages', `${stem}.jpg`), { channels: 3 });
  const png = path.join(tmp, 'scene.png');
  await writeImage(png, image);
  const norm = run.config.transforms.normalize;
  const expected = tidy(() => noGrad(() => {
    let x = image.to('float32').div(255).unsqueeze(0);
    if (typeof norm === 'object') x = x.sub(tensor(norm.mean, { shape: [1, 3, 1, 1] })).div(tensor(norm.std, { shape: [1, 3, 1, 1] }));
    const mask = run.model.call(x).argmax(1).flatten().toFlatArray();
    const counts = new Map<string, number>();
    for (const k of mask) counts.set(run.info.classNames[k]!, (counts.get(run.info.classNames[k]!) ?? 0) + 1);
    return counts;
  }));
  const { chromium } = await import('playwright-core');
  const server = await serveStatic(site);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/index.html`);
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
    await page.setInputFiles('#file', png);
    await page.waitForSelector('#status[data-state="done"]', { timeout: 30_000 });
    assert.equal(await page.locator('#results-title').textContent(), 'Predicted mask');
    assert.ok(await page.locator('#overlay').isVisible(), 'the mask overlay is shown');
    const shown = await page.$$eval('#legend li', (lis) => lis.map((li) => [li.dataset.class!, Number(li.dataset.pixels)] as const));
    // The same pixels in, the same mask out (up to ties between logits rounded differently).
    let agree = 0;
    for (const [name, n] of shown) agree += Math.min(n, expected.get(name) ?? 0);
    assert.ok(agree >= 0.99 * 32 * 32, `pixel classes shown ${JSON.stringify(shown)}, visionlab's ${JSON.stringify([...expected])}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
