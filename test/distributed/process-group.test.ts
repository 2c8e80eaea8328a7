import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as T from '../../src/torch/index.js';
import { initProcessGroup, ncclAvailable } from '../../src/torch/distributed/index.js';
import { freePort, runNode } from './fixtures/processes.js';

const dir = mkdtempSync(path.join(tmpdir(), 'visionlab-pg-'));
const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'collectives-rank.js');

test('initProcessGroup names the field that is wrong', () => {
  assert.throws(() => initProcessGroup({ rank: 2, worldSize: 2, initFile: path.join(dir, 'x') }), /rank must be an integer in \[0, 1\], got 2/);
  assert.throws(() => initProcessGroup({ rank: 0, worldSize: 0 }), /worldSize must be an integer/);
  assert.throws(() => initProcessGroup({ rank: 0, worldSize: 1, masterPort: 70000 }), /masterPort must be in \[1, 65535\], got 70000/);
  assert.throws(() => initProcessGroup({ rank: 0, worldSize: 1, timeoutMs: -1 }), /timeoutMs must be a positive integer/);
  assert.throws(() => initProcessGroup({ rank: 0, worldSize: 1, backend: 'mpi' as 'gloo' }), /backend must be 'gloo' or 'nccl'/);
  if (!ncclAvailable()) assert.throws(() => initProcessGroup({ rank: 0, worldSize: 1, backend: 'nccl' }), /needs the addon built against a CUDA libtorch/);
});

test('a group of one: collectives are the identity, allReduceSum is differentiable', async () => {
  const g = initProcessGroup({ rank: 0, worldSize: 1, masterPort: await freePort(), timeoutMs: 10_000 });
  assert.deepEqual([g.rank, g.worldSize, g.backend], [0, 1, 'gloo']);
  assert.deepEqual(g.allReduce(T.tensor([1, 2])).toFlatArray(), [1, 2]);
  assert.deepEqual(g.broadcast(T.tensor([3])).toFlatArray(), [3]);
  assert.deepEqual(g.allGather(T.tensor([4, 5])).map((t) => t.toFlatArray()), [[4, 5]]);
  g.barrier();
  const x = T.tensor([1, 2, 3]).requiresGrad_(true);
  g.allReduceSum(x).mul(T.tensor([2, 3, 4])).sum().backward();
  assert.deepEqual(x.grad!.toFlatArray(), [2, 3, 4]);
  assert.throws(() => g.broadcast(T.tensor([1]), 1), /root must be a rank in \[0, 0\], got 1/);
  g.destroy();
  assert.throws(() => g.allReduce(T.tensor([1])), /the process group was destroyed/);
});

test('a rank whose peers never come fails the rendezvous within its timeout, naming the address', async () => {
  const port = await freePort();
  const t0 = Date.now();
  assert.throws(() => initProcessGroup({ rank: 1, worldSize: 2, masterPort: port, timeoutMs: 1500 }),
    new RegExp(`rank 1 of 2 could not join through 127\\.0\\.0\\.1:${port}`));
  assert.ok(Date.now() - t0 < 30_000);
});

test('two processes: all-reduce, broadcast, all-gather; a peer that leaves makes the next collective fail, not hang', async () => {
  const file = path.join(dir, 'store');
  const runs = [0, 1].map((rank) => runNode(worker, [String(rank), file, 'leave']));
  const [r0, r1] = await Promise.all(runs.map((r) => r.done));
  assert.equal(r0!.code, 0, r0!.output);
  assert.equal(r1!.code, 0, r1!.output);
  for (const r of [r0!, r1!]) {
    const res = JSON.parse(r.output.split('\n').find((l) => l.startsWith('{'))!);
    assert.deepEqual(res, { sum: [3, 30], max: [5], root: [42], gathered: [[0, 0.5], [1, 1.5]] });
  }
  assert.match(r0!.output, /ERROR after \d+ ms: .*allReduce on rank 0 of 2 \(gloo\) failed/);
});
