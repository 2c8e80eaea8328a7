// `visionlab train --nproc 2` end to end, in fresh processes: the run learns, only rank 0
// writes the run directory, a resumed run continues in it, and a worker killed with
// SIGKILL ends the job with an error naming its rank instead of a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSyntheticNpy, CLASS_NAMES } from '../cli/synthetic-data.js';
import { runCommand } from './fixtures/processes.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const ENV = { ...process.env, VISIONLAB_QUIET: '1' };
const tmp = mkdtempSync(path.join(tmpdir(), 'visionlab-launch-'));
const dataDir = path.join(tmp, 'data');
writeSyntheticNpy(dataDir, 480, 90);

function config(epochs: number): string {
  const file = path.join(tmp, `stripes-${epochs}.yaml`);
  writeFileSync(file, `name: stripes
seed: 3
dataset:
  kind: npy
  root: ${dataDir}
  classNames: [${CLASS_NAMES.join(', ')}]
transforms:
  normalize: auto
model:
  name: noisy-label-cnn
optimizer:
  name: adam
  lr: 0.003
epochs: ${epochs}
batchSize: 32
`);
  return file;
}

function onlyRun(runs: string): string {
  const dirs = readdirSync(runs);
  assert.equal(dirs.length, 1, `expected one run in ${runs}, found ${dirs.join(', ')}`);
  return path.join(runs, dirs[0]!);
}

function epochsLogged(run: string): number {
  return readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').length;
}

test('train --nproc 2 learns, writes one run directory from rank 0, and resumes in it', () => {
  const runs = path.join(tmp, 'runs');
  const r = spawnSync(process.execPath, [MAIN, 'train', config(2), '--runs', runs, '--nproc', '2', '--quiet'], { encoding: 'utf8', env: ENV });
  assert.equal(r.status, 0, `train --nproc 2 failed:\n${r.stdout}\n${r.stderr}`);
  assert.equal(r.stdout.match(/test accuracy: /g)?.length, 1, `only rank 0 reports:\n${r.stdout}`);
  const run = onlyRun(runs);
  const info = JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8'));
  assert.ok(info.test.accuracy > 0.8, `test accuracy ${info.test.accuracy} (chance is 0.33)`);
  assert.equal(epochsLogged(run), 2, 'one metrics line per epoch, written by rank 0 alone');
  assert.ok(existsSync(path.join(run, 'checkpoints', 'last.ckpt')));

  const resumed = spawnSync(process.execPath, [MAIN, 'train', '--resume', run, '--epochs', '3', '--nproc', '2', '--quiet'], { encoding: 'utf8', env: ENV });
  assert.equal(resumed.status, 0, `resume --nproc 2 failed:\n${resumed.stdout}\n${resumed.stderr}`);
  assert.equal(epochsLogged(run), 3, 'the resumed run adds the third epoch to the same directory');
});

test('workers run under the launcher\'s Node flags', async () => {
  const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/exec-argv.js');
  const r = await runCommand(process.execPath, ['--single-threaded-gc', '--stack-size=2000', fixture]).done;
  assert.equal(r.code, 0, r.output);
  for (const rank of [0, 1]) {
    assert.match(r.output, new RegExp(`rank ${rank} flags \\["--single-threaded-gc","--stack-size=2000"\\]`), r.output);
  }
});

/** Children of pid with their RANK, read from /proc. */
function workers(pid: number): { pid: number; rank: string }[] {
  const out: { pid: number; rank: string }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      const env = readFileSync(`/proc/${d}/environ`, 'utf8').split('\0');
      out.push({ pid: Number(d), rank: env.find((e) => e.startsWith('RANK='))?.slice(5) ?? '?' });
    } catch { /* the process ended while we looked */ }
  }
  return out;
}

test('SIGKILL of one worker ends the job within 60 s with an error naming its rank', async () => {
  const runs = path.join(tmp, 'killed');
  const job = spawn(process.execPath, [MAIN, 'train', config(200), '--runs', runs, '--nproc', '2', '--quiet'], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  job.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => job.on('close', (code) => resolve(code)));
  // Rank 0 creates the run directory once the group has formed and the model is built.
  const deadline = Date.now() + 120_000;
  while (!(existsSync(runs) && readdirSync(runs).length > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 1000));
  const victim = workers(job.pid!).find((w) => w.rank === '1');
  assert.ok(victim, 'worker rank 1 should be running');
  const killedAt = Date.now();
  process.kill(victim.pid, 'SIGKILL');
  const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000))]);
  if (code === 'hung') job.kill('SIGKILL');
  assert.notEqual(code, 'hung', 'the job must end within 60 s of a worker dying');
  assert.notEqual(code, 0);
  assert.match(stderr, /worker rank 1 \(pid \d+\) was killed by SIGKILL/);
  assert.ok(Date.now() - killedAt < 60_000);
  assert.equal(workers(job.pid!).length, 0, 'no worker is left behind');
});
