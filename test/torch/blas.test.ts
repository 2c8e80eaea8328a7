// The BLAS behind libtorch's float32 matrix products: OpenBLAS's pthreads build, whose
// idle workers busy-wait and take the cores from libtorch's threads, is set to one thread
// when it is the one loaded; the OpenMP build, which setup selects, keeps its threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { blasInfo } from '../../src/torch/index.js';
import { inCI } from '../support/require-reference.js';

const torchIndex = new URL('../../src/torch/index.js', import.meta.url).href;
// Debian's multiarch folder, as scripts/setup.sh finds it with `gcc -dumpmachine`.
const MULTIARCH = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
const PTHREADS_BUILD = `/usr/lib/${MULTIARCH}/openblas-pthread`;

function blasInfoWith(env: NodeJS.ProcessEnv): ReturnType<typeof blasInfo> {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e',
    `const T = await import(${JSON.stringify(torchIndex)}); T.setNumThreads(2); console.log(JSON.stringify(T.blasInfo()));`],
  { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ReturnType<typeof blasInfo>;
}

test('blasInfo names the loaded BLAS; a pthreads OpenBLAS runs on one thread', () => {
  const info = blasInfo();
  assert.ok(info.library === 'openblas' || info.library === 'other');
  if (info.library === 'openblas') {
    assert.match(info.config, /^OpenBLAS \d/);
    assert.ok(Number.isInteger(info.threads) && info.threads >= 1);
    if (info.parallel === 'pthreads') assert.equal(info.threads, 1);
  }
  // setup.sh selects the OpenMP build where Debian's OpenBLAS backs libtorch.
  if (inCI() && info.library === 'openblas') assert.equal(info.parallel, 'openmp', 'scripts/setup.sh should select OpenBLAS\'s OpenMP build');
});

test('the pthreads build, loaded in place of the OpenMP one, is set to one thread at start-up', (t) => {
  if (!existsSync(PTHREADS_BUILD)) {
    if (inCI()) throw new Error(`${PTHREADS_BUILD} is missing: Debian's libopenblas0-pthread (installed with the reference packages) provides it`);
    t.skip(`${PTHREADS_BUILD} not installed`);
    return;
  }
  const pthreads = blasInfoWith({ LD_LIBRARY_PATH: PTHREADS_BUILD });
  assert.equal(pthreads.library, 'openblas');
  if (pthreads.library !== 'openblas') return;
  assert.equal(pthreads.parallel, 'pthreads');
  assert.equal(pthreads.threads, 1, 'libtorch\'s two threads, and OpenBLAS on one');
});
