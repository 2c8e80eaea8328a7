// The addon in a worker thread: its own operator cache and handle counts, results as on
// the main thread, and a clean teardown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import * as T from '../../src/torch/index.js';

/** What worker-fixture.ts posts back. */
interface WorkerReport {
  before: number;
  live: number;
  leftAlive: number;
  product: unknown;
  noise: number[];
  error: { isTorchError: boolean; op: string; message: string } | null;
}

function runWorker(): Promise<{ result: WorkerReport; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./worker-fixture.js', import.meta.url));
    let result: unknown;
    w.on('message', (m) => { result = m; });
    w.on('error', reject);
    w.on('exit', (exitCode) => resolve({ result: result as WorkerReport, exitCode }));
  });
}

test('a worker thread runs operators with its own handles; the main thread is unaffected', async () => {
  // From a typed array: no temporary is left for the garbage collector to free (and
  // count down) while the workers run, so the count below is exact.
  const mainTensor = T.tensor(Float32Array.from([1, 2, 3]));
  const mainBefore = T.liveTensorCount();
  const { result, exitCode } = await runWorker();
  assert.equal(exitCode, 0);
  assert.deepEqual(result.product, [[19, 22], [43, 50]]);
  // Same seed, same stream on either thread.
  assert.deepEqual(result.noise, T.tidy(() => T.randn([3], { generator: new T.Generator(42) }).toFlatArray()));
  assert.equal(result.before, 0, 'the worker starts with its own count, not the main thread\'s');
  assert.ok(result.live >= result.leftAlive + 2, `worker counted its own tensors (${result.live})`);
  assert.ok(result.error, 'the worker saw the bad matmul fail');
  assert.equal(result.error.isTorchError, true);
  assert.equal(result.error.op, 'aten::matmul');
  assert.match(result.error.message, /^aten::matmul\(self=float32\[2, 2\], other=float32\[3, 3\]\): /);
  assert.equal(T.liveTensorCount(), mainBefore, 'the worker\'s tensors are not counted here');
  // The main thread's operator cache still works after the worker is gone.
  assert.deepEqual(T.tidy(() => mainTensor.add(1).toFlatArray()), [2, 3, 4]);
  // Two workers at once, each with its own registry.
  const both = await Promise.all([runWorker(), runWorker()]);
  for (const r of both) assert.deepEqual(r.result.product, [[19, 22], [43, 50]]);
  assert.equal(T.liveTensorCount(), mainBefore);
  mainTensor.dispose();
});
