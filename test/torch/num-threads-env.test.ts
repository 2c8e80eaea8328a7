// VISIONLAB_NUM_THREADS sets libtorch's CPU threads at start-up; a bad value is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const torchIndex = new URL('../../src/torch/index.js', import.meta.url).href;

function threadsWith(value: string | undefined): { threads: number; stderr: string } {
  const env = { ...process.env };
  delete env.VISIONLAB_NUM_THREADS;
  if (value !== undefined) env.VISIONLAB_NUM_THREADS = value;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e',
    `const T = await import(${JSON.stringify(torchIndex)}); console.log(T.getNumThreads(), T.NUM_THREADS_ENV);`], { env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [threads, name] = r.stdout.trim().split(' ');
  assert.equal(name, 'VISIONLAB_NUM_THREADS');
  return { threads: Number(threads), stderr: r.stderr };
}

test('VISIONLAB_NUM_THREADS sets the thread count; a bad value warns and falls back', () => {
  assert.equal(threadsWith('1').threads, 1);
  assert.equal(threadsWith('2').threads, 2);
  const bad = threadsWith('many');
  assert.ok(bad.threads >= 1);
  assert.match(bad.stderr, /VISIONLAB_NUM_THREADS='many' is not a positive integer/);
  assert.doesNotMatch(threadsWith(undefined).stderr, /VISIONLAB_NUM_THREADS/);
});
