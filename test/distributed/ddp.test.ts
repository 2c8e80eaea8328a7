import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, runNode } from './fixtures/processes.js';
import { trainSingle, maxAbsDiff, type Mode } from './fixtures/tiny-training.js';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'train-rank.js');
const dir = mkdtempSync(path.join(tmpdir(), 'visionlab-ddp-'));

async function trainTwoRanks(mode: Mode, bucketCapMB: number): Promise<{ weights: Record<string, number[]>; launchedInHooks: number; launchedAtEnd: number }[]> {
  const port = await freePort();
  const runs = [0, 1].map((rank) => runNode(worker, [String(rank), '2', String(port), mode, String(bucketCapMB), path.join(dir, `${mode}-${rank}.json`)]));
  const finished = await Promise.all(runs.map((r) => r.done));
  finished.forEach((f, rank) => assert.equal(f.code, 0, `rank ${rank} failed:\n${f.output}`));
  return [0, 1].map((rank) => JSON.parse(readFileSync(path.join(dir, `${mode}-${rank}.json`), 'utf8')));
}

test('two processes with DistributedDataParallel end with the weights of one process trained on the global batch', async (t) => {
  const single = trainSingle('ddp');
  assert.ok(single.losses.at(-1)! < single.losses[0]!, `the loss should fall: ${single.losses.join(', ')}`);
  // A tiny bucket cap puts every parameter in its own bucket: all-reduces start inside backward.
  const [r0, r1] = await trainTwoRanks('ddp', 0.001);
  assert.ok(maxAbsDiff(r0!.weights, r1!.weights) === 0, 'the replicas must stay identical');
  const diff = maxAbsDiff(r0!.weights, single.weights);
  t.diagnostic(`max abs weight difference: ${diff}; buckets all-reduced during backward: ${r0!.launchedInHooks}`);
  assert.ok(diff <= 1e-5, `max abs weight difference to the single process: ${diff}`);
  // Every bucket's all-reduce starts from a gradient hook, inside backward, none after it.
  assert.ok(r0!.launchedInHooks > 0 && r0!.launchedAtEnd === 0, `buckets launched in hooks ${r0!.launchedInHooks}, after backward ${r0!.launchedAtEnd}`);
});

test('noSync accumulates gradients locally; the next synchronised backward averages the sum', async () => {
  const single = trainSingle('nosync');
  const [r0] = await trainTwoRanks('nosync', 25);
  const diff = maxAbsDiff(r0!.weights, single.weights);
  assert.ok(diff <= 1e-5, `max abs weight difference to the single process: ${diff}`);
});

test('SyncBatchNorm normalises with the global batch: weights and running statistics match one process', async () => {
  const single = trainSingle('syncbn');
  const [r0, r1] = await trainTwoRanks('syncbn', 25);
  assert.ok(maxAbsDiff(r0!.weights, r1!.weights) === 0, 'the replicas must stay identical');
  const diff = maxAbsDiff(r0!.weights, single.weights);
  assert.ok(diff <= 1e-5, `max abs weight/running-stat difference to the single process: ${diff}`);
});
