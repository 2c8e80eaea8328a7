// `visionlab export` on a run trained through the CLI on a tiny generated dataset: the
// ONNX file gives visionlab's outputs in onnxruntime-node, and the web page, served over
// HTTP and driven in Debian's chromium, predicts the class visionlab predicts for
// image files fed to it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stack, tensor, tidy, noGrad } from '../../src/torch/index.js';
import { decodeImage, writeImage } from '../../src/data/index.js';
import { openRun } from '../../src/experiment/index.js';
import { decodeOnnxModel } from '../../src/export/index.js';
import { buildWebPage } from '../../scripts/build-web-page.js';
import { onnxSession, runOnnx, maxAbsDiff, ONNX_TOLERANCE } from '../../bench/onnx-check.js';
import { writeSyntheticNpy, patternImage, CLASS_NAMES, SIZE } from '../cli/synthetic-data.js';
import { inCI } from '../support/require-reference.js';
import { serveStatic } from './static-server.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const CHROMIUM = '/usr/bin/chromium';

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, VISIONLAB_QUIET: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const CONFIG = (dataDir: string) => `name: tiny-export
seed: 1
dataset:
  kind: npy
  root: ${dataDir}
  classNames: [${CLASS_NAMES.join(', ')}]
split:
  val: 0.1
transforms:
  normalize: auto
model:
  name: fashion-cnn
optimizer:
  name: adam
  lr: 0.003
epochs: 3
batchSize: 32
`;

let tmp = '';
let runDir = '';
/** Two PNG files per class, with their true class. */
const images: { file: string; label: number }[] = [];

before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'visionlab-export-'));
  const dataDir = path.join(tmp, 'data');
  writeSyntheticNpy(dataDir);
  writeFileSync(path.join(tmp, 'tiny.yaml'), CONFIG(dataDir));
  const runs = path.join(tmp, 'runs');
  const trained = cli('train', path.join(tmp, 'tiny.yaml'), '--runs', runs, '--quiet');
  assert.equal(trained.code, 0, trained.stderr);
  runDir = path.join(runs, readdirSync(runs)[0]!);
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 6; i++) {
    const label = i % 3;
    const file = path.join(tmp, `image-${i}-${CLASS_NAMES[label]}.png`);
    await writeImage(file, tensor(patternImage(label, rand), { shape: [1, SIZE, SIZE] }));
    images.push({ file, label });
  }
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** visionlab's class probabilities for the image files, as `visionlab predict` computes them. */
async function visionlabProbabilities(files: string[]): Promise<number[][]> {
  const run = await openRun(runDir);
  const decoded = await Promise.all(files.map((f) => decodeImage(f, { channels: 1, size: [SIZE, SIZE] })));
  return tidy(() => noGrad(() => run.model.call(run.testTransform.apply(stack(decoded))).softmax(1).toArray() as number[][]));
}

test('export --format onnx: the file reproduces the run\'s outputs in onnxruntime, with its metadata', async () => {
  const out = path.join(tmp, 'model.onnx');
  const r = cli('export', runDir, '--format', 'onnx', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /input \[batch, 1, 16, 16\] in \[0, 1\], output logits \[batch, 3\]/);
  const bytes = readFileSync(out);
  const meta = Object.fromEntries((decodeOnnxModel(bytes) as { metadataProps: { key: string; value: string }[] }).metadataProps.map((e) => [e.key, e.value]));
  assert.deepEqual(JSON.parse(meta.class_names!), CLASS_NAMES);
  const run = await openRun(runDir);
  const norm = run.config.transforms.normalize as { mean: number[]; std: number[] };
  assert.deepEqual(JSON.parse(meta.mean!), norm.mean);

  // Raw [0, 1] pixels go to onnxruntime; visionlab applies the run's test transforms itself.
  const decoded = await Promise.all(images.map((im) => decodeImage(im.file, { channels: 1, size: [SIZE, SIZE] })));
  const pixels = tidy(() => stack(decoded).to('float32').div(255));
  const ours = tidy(() => noGrad(() => run.model.call(run.testTransform.apply(stack(decoded))).toTypedArray() as Float32Array));
  const session = await onnxSession(bytes);
  const theirs = await runOnnx(session, pixels);
  await session.release();
  assert.deepEqual(theirs.dims, [images.length, CLASS_NAMES.length]);
  assert.ok(maxAbsDiff(ours, theirs.data) <= ONNX_TOLERANCE, `max abs diff ${maxAbsDiff(ours, theirs.data)}`);

  assert.equal(cli('export', runDir, '--format', 'tflite', '--out', out).code, 2);
  assert.equal(cli('export', runDir, '--format', 'onnx').code, 2);
  const missing = cli('export', path.join(tmp, 'no-such-run'), '--out', out);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no-such-run/);
});

test('export --format web: the page in chromium predicts what visionlab predicts', async (t) => {
  if (!existsSync(CHROMIUM)) {
    const reason = `${CHROMIUM} not found (Debian package chromium)`;
    if (inCI()) throw new Error(`setup is broken: CI=true but the browser this test drives is missing: ${reason}. scripts/setup.sh installs it.`);
    return t.skip(reason);
  }
  await buildWebPage(); // the page under test is the current source, never a stale bundle
  const site = path.join(tmp, 'site');
  const r = cli('export', runDir, '--format', 'web', '--out', site);
  assert.equal(r.code, 0, r.stderr);
  for (const f of ['index.html', 'page.js', 'model.onnx', 'model.json', 'ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs']) {
    assert.ok(existsSync(path.join(site, f)), `${f} written`);
  }
  const expected = await visionlabProbabilities(images.map((im) => im.file));

  const { chromium } = await import('playwright-core');
  const server = await serveStatic(site);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const requests: string[] = [];
  try {
    const page = await browser.newPage();
    page.on('request', (req) => requests.push(req.url()));
    await page.goto(`${server.url}/index.html`);
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
    let correct = 0;
    for (const [i, im] of images.entries()) {
      await page.$eval('#status', (el) => el.setAttribute('data-state', 'waiting'));
      await page.setInputFiles('#file', im.file);
      await page.waitForSelector('#status[data-state="done"]', { timeout: 30_000 });
      const top = await page.$$eval('#top5 li', (lis) => lis.map((li) => ({ name: li.dataset.class!, prob: Number(li.dataset.prob) })));
      assert.equal(top.length, CLASS_NAMES.length, 'top-5 lists every class of a 3-class model');
      const probs = expected[i]!;
      const best = probs.indexOf(Math.max(...probs));
      assert.equal(top[0]!.name, CLASS_NAMES[best], `${path.basename(im.file)}: page says ${top[0]!.name}, visionlab ${CLASS_NAMES[best]}`);
      assert.ok(Math.abs(top[0]!.prob - probs[best]!) < 1e-3, `probability ${top[0]!.prob} against visionlab's ${probs[best]}`);
      if (best === im.label) correct++;
    }
    // Drawing on the pad classifies the drawing when the stroke ends.
    await page.$eval('#status', (el) => el.setAttribute('data-state', 'waiting'));
    const pad = (await page.locator('#pad').boundingBox())!;
    await page.mouse.move(pad.x + pad.width * 0.2, pad.y + pad.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width * 0.8, pad.y + pad.height * 0.5, { steps: 8 });
    await page.mouse.up();
    await page.waitForSelector('#status[data-state="done"]', { timeout: 30_000 });
    const drawn = await page.$$eval('#top5 li', (lis) => lis.map((li) => Number(li.dataset.prob)));
    assert.ok(Math.abs(drawn.reduce((a, b) => a + b, 0) - 1) < 1e-4, `probabilities of the drawing sum to 1: ${drawn}`);

    // A trained model, so that agreeing on the class means something.
    assert.ok(correct >= 5, `visionlab's model classified ${correct} of 6 images correctly`);
    const foreign = requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('blob:') && !u.startsWith('data:'));
    assert.deepEqual(foreign, [], 'the page loads nothing from other hosts');
  } finally {
    await browser.close();
    await server.close();
  }
});
