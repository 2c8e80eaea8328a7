// End to end through the command line: train on a tiny generated .npy dataset, check the
// run directory, then eval, predict and compare against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor } from '../../src/torch/index.js';
import { resolvePrecision, evaluate, TestTimeAugmentation, ClassificationTask } from '../../src/train/index.js';
import { openRun, runTestLoader } from '../../src/experiment/index.js';
import { writeImage } from '../../src/data/index.js';
import { writeSyntheticNpy, patternImage, CLASS_NAMES, SIZE } from './synthetic-data.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, VISIONLAB_QUIET: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const EPOCHS = 3;

function tinyConfig(name: string, dataDir: string, model: string): string {
  return `# tiny synthetic experiment for the CLI test
name: ${name}
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
  name: ${model}
optimizer:
  name: adam
  lr: 0.003
schedule:
  name: one-cycle
epochs: ${EPOCHS}
batchSize: 32
`;
}

test('train, eval, predict and compare through the CLI on a generated dataset', async () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'visionlab-cli-'));
  try {
    const dataDir = path.join(tmp, 'data');
    writeSyntheticNpy(dataDir);
    const runs = path.join(tmp, 'runs');
    writeFileSync(path.join(tmp, 'tiny.yaml'), tinyConfig('tiny', dataDir, 'fashion-cnn'));
    writeFileSync(path.join(tmp, 'tiny-mlp.yaml'), tinyConfig('tiny-mlp', dataDir, 'mlp'));

    const trained = cli('train', path.join(tmp, 'tiny.yaml'), '--runs', runs, '--quiet');
    assert.equal(trained.code, 0, trained.stderr);
    const lines = trained.stdout.trim().split('\n');
    const last = lines[lines.length - 1]!;
    assert.match(last, /^test accuracy: \d\.\d{4}$/);
    const runDir = lines.find((l) => l.startsWith('run directory: '))!.slice('run directory: '.length);

    // The run directory has every file, with one metrics row per epoch.
    for (const f of ['config.json', 'metrics.jsonl', 'metrics.csv', 'report.html', 'metrics.json', 'run.json', 'model.safetensors', 'grad_cam.png']) {
      assert.ok(existsSync(path.join(runDir, f)), `${f} missing in ${runDir}`);
    }
    assert.match(readFileSync(path.join(runDir, 'report.html'), 'utf8'), /Grad-CAM of the predicted class/);
    assert.ok(readdirSync(path.join(runDir, 'checkpoints')).length > 0, 'no checkpoint written');
    const rows = readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, EPOCHS);
    assert.equal(readFileSync(path.join(runDir, 'metrics.csv'), 'utf8').trim().split('\n').length, EPOCHS + 1);
    // run.json records the precision and memory format chosen, and why.
    const info = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    assert.equal(info.precision.requested, 'auto');
    assert.equal(info.precision.chosen, resolvePrecision('auto', 'cpu').precision);
    assert.ok(info.precision.reason.length > 10);
    assert.equal(info.memoryFormat.chosen, 'channels_last');
    const config = JSON.parse(readFileSync(path.join(runDir, 'config.json'), 'utf8'));
    // normalize: auto was resolved to the training split's statistics.
    assert.equal(config.transforms.normalize.mean.length, 1);
    assert.ok(config.transforms.normalize.mean[0] > 0.2 && config.transforms.normalize.mean[0] < 0.7);

    // Well above chance (1/3), and the same number `eval` prints.
    const metrics = JSON.parse(readFileSync(path.join(runDir, 'metrics.json'), 'utf8'));
    assert.ok(metrics.test_accuracy >= 0.9, `test accuracy ${metrics.test_accuracy}`);
    assert.equal(last, `test accuracy: ${metrics.test_accuracy.toFixed(4)}`);
    const evaluated = cli('eval', runDir);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    assert.match(evaluated.stdout, new RegExp(`^test accuracy: ${metrics.test_accuracy.toFixed(4)}$`, 'm'));
    assert.match(evaluated.stdout, /^test samples: 90$/m);
    for (const name of CLASS_NAMES) assert.match(evaluated.stdout, new RegExp(`^\\s*${name}\\s+\\d\\.\\d{4}`, 'm'));

    // predict on PNG files of each class.
    const rand = () => 0.25;
    const pngs = [0, 1, 2].map((cls) => {
      const file = path.join(tmp, `${CLASS_NAMES[cls]}.png`);
      return { file, cls };
    });
    for (const { file, cls } of pngs) await writeImage(file, tensor(patternImage(cls, rand), { shape: [1, SIZE, SIZE] }));
    const predicted = cli('predict', runDir, ...pngs.map((p) => p.file));
    assert.equal(predicted.code, 0, predicted.stderr);
    const predLines = predicted.stdout.trim().split('\n');
    assert.equal(predLines.length, 3);
    pngs.forEach(({ file, cls }, i) => {
      assert.ok(predLines[i]!.startsWith(`${file}: ${CLASS_NAMES[cls]} (`), predLines[i]);
      const probs = [...predLines[i]!.matchAll(/ (\d\.\d{4})/g)].map((m) => Number(m[1]));
      assert.equal(probs.length, 3);
      assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 2e-3);
    });

    // With tta in the run's config, eval scores the averaged views: the figures of the
    // test-time-augmented task computed here, not those of the image alone.
    const loss = (out: string) => Number(/^test loss: (\S+)$/m.exec(out)![1]);
    writeFileSync(path.join(runDir, 'config.json'), JSON.stringify({ ...config, tta: ['hflip', 'shift'] }));
    const run = await openRun(runDir);
    const { loader } = await runTestLoader(run);
    const viaViews = await evaluate(run.model, loader, { task: new TestTimeAugmentation(new ClassificationTask(), ['hflip', 'shift']) });
    const withViews = cli('eval', runDir);
    assert.equal(withViews.code, 0, withViews.stderr);
    assert.match(withViews.stdout, new RegExp(`^test accuracy: ${viaViews.accuracy.toFixed(4)}$`, 'm'));
    assert.ok(Math.abs(loss(withViews.stdout) - viaViews.loss) < 1e-3, `eval loss ${loss(withViews.stdout)} against ${viaViews.loss}`);
    assert.ok(Math.abs(loss(withViews.stdout) - loss(evaluated.stdout)) > 1e-3, 'the views change the test loss');

    // compare two runs.
    const second = cli('train', path.join(tmp, 'tiny-mlp.yaml'), '--runs', runs, '--quiet', '--epochs', '2');
    assert.equal(second.code, 0, second.stderr);
    const runDir2 = second.stdout.split('\n').find((l) => l.startsWith('run directory: '))!.slice('run directory: '.length);
    assert.equal(JSON.parse(readFileSync(path.join(runDir2, 'run.json'), 'utf8')).memoryFormat.chosen, 'contiguous_format');
    const out = path.join(tmp, 'summary');
    const compared = cli('compare', runDir, runDir2, '--out', out);
    assert.equal(compared.code, 0, compared.stderr);
    const table = compared.stdout.split('\n').filter((l) => l.startsWith('|'));
    assert.equal(table.length, 4);
    assert.match(table[0]!, /\| model \|.*best train accuracy.*test accuracy \|/);
    assert.ok(table[2]!.includes(`| fashion-cnn | ${EPOCHS} |`) && table[2]!.includes(`| ${metrics.test_accuracy.toFixed(4)} |`), table[2]);
    assert.ok(table[3]!.includes('| mlp | 2 |'), table[3]);
    const csv = readFileSync(`${out}.csv`, 'utf8').trim().split('\n');
    assert.equal(csv.length, 3);
    assert.equal(readFileSync(`${out}.md`, 'utf8'), table.join('\n') + '\n');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('train --profile prints the most expensive operators of a few steps and keeps no run', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'visionlab-cli-profile-'));
  try {
    const dataDir = path.join(tmp, 'data');
    writeSyntheticNpy(dataDir);
    const runs = path.join(tmp, 'runs');
    writeFileSync(path.join(tmp, 'tiny.yaml'), tinyConfig('tiny', dataDir, 'fashion-cnn'));
    const r = cli('train', path.join(tmp, 'tiny.yaml'), '--runs', runs, '--profile-steps', '4');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^operators over 4 training steps, by self time:$/m);
    const header = r.stdout.split('\n').findIndex((l) => /^operator\s+self ms\s+self %\s+total ms\s+calls\s+input shapes$/.test(l));
    assert.ok(header >= 0, r.stdout);
    const rows = r.stdout.split('\n').slice(header + 2, header + 22).filter((l) => /^\S+\s+\d/.test(l));
    assert.ok(rows.length >= 10, `${rows.length} operator rows`);
    assert.ok(rows.some((l) => /convolution/.test(l) && /\[32, 1, 16, 16\]/.test(l)), 'a convolution with its input shapes');
    // Convolutions run forward and backward in every profiled step.
    const conv = rows.find((l) => l.startsWith('aten::convolution_backward'));
    assert.ok(conv, 'the backward pass is profiled');
    assert.match(r.stdout, /^total \(top-level operators\): \d+\.\d+ ms$/m);
    assert.ok(!existsSync(runs), 'no run directory is kept');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('command-line mistakes exit with code 2 and a message, no stack trace', () => {
  const unknown = cli('trian');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'trian'/);
  const badFlag = cli('train', 'x.yaml', '--epochs', 'three');
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /--epochs must be a positive integer/);
  const missing = cli('train', '/nonexistent/config.yaml');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such config file/);
  assert.doesNotMatch(missing.stderr, /\n\s+at /);
  const help = cli('eval', '--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /visionlab eval RUN/);
  const models = cli('models');
  assert.equal(models.code, 0);
  assert.ok(models.stdout.split('\n').includes('fashion-cnn-plus'));
  assert.ok(models.stdout.split('\n').includes('color-histogram-logreg'));
});
