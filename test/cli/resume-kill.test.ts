// Reproducible and resumable runs through the command line, in fresh processes: two runs
// of one config give identical weights, and a run killed with SIGKILL in the middle of an
// epoch, resumed with `visionlab train --resume`, ends with exactly those weights too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensorsHeader } from '../../src/torch/index.js';
import { writeSyntheticNpy, CLASS_NAMES } from './synthetic-data.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const ENV = { ...process.env, VISIONLAB_QUIET: '1' };
const EPOCHS = 3;

function config(dataDir: string): string {
  return `name: resumable
seed: 7
dataset:
  kind: npy
  root: ${dataDir}
  classNames: [${CLASS_NAMES.join(', ')}]
split:
  val: 0.1
transforms:
  train:
    - name: RandomCrop
      size: 16
      padding: 2
    - name: RandomHorizontalFlip
  normalize: auto
model:
  name: noisy-label-cnn
optimizer:
  name: adam
  lr: 0.003
schedule:
  name: one-cycle
epochs: ${EPOCHS}
batchSize: 16
checkpointEvery: 4
`;
}

function train(...args: string[]): string {
  const r = spawnSync(process.execPath, [MAIN, 'train', ...args], { encoding: 'utf8', env: ENV });
  assert.equal(r.status, 0, `visionlab train ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

function onlyRun(runs: string): string {
  const dirs = readdirSync(runs);
  assert.equal(dirs.length, 1, `expected one run in ${runs}, found ${dirs.join(', ')}`);
  return path.join(runs, dirs[0]!);
}

/** The checkpoint's position: [epoch, batchesDone]. */
function checkpointPosition(file: string): [number, number] {
  const meta = JSON.parse(readSafetensorsHeader(readFileSync(file), file).metadata!['visionlab.checkpoint']!) as { epoch: number; batchesDone?: number };
  return [meta.epoch, meta.batchesDone ?? 0];
}

test('same config, fresh processes: identical weights; killed mid-epoch and resumed: identical weights', async () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'visionlab-resume-cli-'));
  try {
    const dataDir = path.join(tmp, 'data');
    writeSyntheticNpy(dataDir, 1200, 90);
    const cfg = path.join(tmp, 'resumable.yaml');
    writeFileSync(cfg, config(dataDir));

    train(cfg, '--runs', path.join(tmp, 'a'), '--quiet');
    train(cfg, '--runs', path.join(tmp, 'b'), '--quiet');
    const runA = onlyRun(path.join(tmp, 'a'));
    const weightsA = readFileSync(path.join(runA, 'model.safetensors'));
    assert.ok(weightsA.equals(readFileSync(path.join(onlyRun(path.join(tmp, 'b')), 'model.safetensors'))), 'two runs of one config differ');
    const info = JSON.parse(readFileSync(path.join(runA, 'run.json'), 'utf8'));
    assert.ok(info.test.accuracy > 0.8, `test accuracy ${info.test.accuracy}`);

    // Start a third run and kill it as soon as its first step checkpoint is on disk.
    const runsC = path.join(tmp, 'c');
    const child = spawn(process.execPath, [MAIN, 'train', cfg, '--runs', runsC, '--quiet'], { env: ENV, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let ckpt = '';
    for (let i = 0; i < 3000 && !ckpt; i++) {
      await new Promise((r) => setTimeout(r, 10));
      if (existsSync(runsC) && readdirSync(runsC).length === 1) {
        const f = path.join(onlyRun(runsC), 'checkpoints', 'last.ckpt');
        if (existsSync(f)) ckpt = f;
      }
    }
    assert.ok(ckpt, 'no checkpoint appeared within 30 s');
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const runC = onlyRun(runsC);
    const [epoch, batchesDone] = checkpointPosition(ckpt);
    assert.ok(batchesDone > 0, `the kill came after a step checkpoint in the middle of an epoch (epoch ${epoch}, batch ${batchesDone})`);
    assert.ok(!existsSync(path.join(runC, 'model.safetensors')), 'the killed run did not finish');

    const out = train('--resume', runC, '--quiet');
    assert.match(out, /test accuracy: \d\.\d{4}/);
    assert.ok(weightsA.equals(readFileSync(path.join(runC, 'model.safetensors'))), 'the resumed run ends with other weights than the uninterrupted one');
    const jsonl = readFileSync(path.join(runC, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; loss: number });
    assert.deepEqual(jsonl.map((e) => e.epoch), [0, 1, 2], 'each epoch logged once');
    const jsonlA = readFileSync(path.join(runA, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { loss: number });
    assert.deepEqual(jsonl.map((e) => e.loss), jsonlA.map((e) => e.loss));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('train --resume explains what is wrong with a directory it cannot continue', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'visionlab-resume-bad-'));
  try {
    const r = spawnSync(process.execPath, [MAIN, 'train', '--resume', path.join(tmp, 'nope')], { encoding: 'utf8', env: ENV });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /nope/);
    const help = spawnSync(process.execPath, [MAIN, 'train', '--help'], { encoding: 'utf8', env: ENV });
    assert.match(help.stdout, /--resume RUN_DIR/);
    assert.match(help.stdout, /checkpointEvery/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
