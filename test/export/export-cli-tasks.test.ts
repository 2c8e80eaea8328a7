// `visionlab export --format onnx` on segmentation and denoising runs trained through the
// CLI on tiny data: the file gives the run's outputs in onnxruntime-node, its metadata
// says what the output is, and `--format web` (a page for classifiers) refuses with a
// message that says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rand, tensor, manualSeed, tidy, noGrad } from '../../src/torch/index.js';
import { makeScenes } from '../../src/data/index.js';
import { openRun } from '../../src/experiment/index.js';
import { decodeOnnxModel } from '../../src/export/index.js';
import { onnxSession, runOnnx, maxAbsDiff, ONNX_TOLERANCE } from '../../bench/onnx-check.js';
import { writeSyntheticNpy, SIZE } from '../cli/synthetic-data.js';
import { skipWithout } from '../support/require-reference.js';

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

  const site = path.join(tmp, `${path.basename(runDir)}-site`);
  const web = cli('export', runDir, '--format', 'web', '--out', site);
  assert.equal(web.code, 1);
  assert.match(web.stderr, new RegExp(`--format web makes a page for classifiers, but run .* is a ${run.config.task} run .*export it with --format onnx`));
  assert.ok(!existsSync(path.join(site, 'model.onnx')), 'no page is written');
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
  assert.equal(meta.output, 'image');
  assert.equal(meta.task, 'denoise');
  assert.equal(meta.class_names, undefined, 'a denoiser\'s output has no classes');
});

test('export a segmentation run: onnx output is per-pixel logits at the input size; web refuses', { skip: skipWithout('fashion-mnist') }, async () => {
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
});
