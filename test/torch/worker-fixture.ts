// Runs inside a worker_threads Worker (see worker.test.ts): loads the addon on this
// thread, runs operators and reports what it saw.
import { parentPort } from 'node:worker_threads';
import * as T from '../../src/torch/index.js';

const before = T.liveTensorCount();
const a = T.tensor([[1, 2], [3, 4]]);
const b = T.tensor([[5, 6], [7, 8]]);
const product = a.matmul(b).toArray();
const g = new T.Generator(42);
const noise = T.randn([3], { generator: g }).toFlatArray();
let error: { isTorchError: boolean; op: string; message: string } | null = null;
try {
  a.matmul(T.zeros([3, 3]));
} catch (e) {
  error = { isTorchError: e instanceof T.TorchError, op: (e as { op: string }).op, message: (e as Error).message };
}
// Many live handles, left for the worker's teardown to free.
const leftAlive = Array.from({ length: 50 }, () => T.ones([4]));
parentPort!.postMessage({ before, live: T.liveTensorCount(), leftAlive: leftAlive.length, product, noise, error });
