// ONNX export against the real runtime: exports resnet18, mobilenet_v2 (224×224 RGB) and
// fashion-cnn-plus (28×28 grey), runs each file in onnxruntime-node and the model in
// visionlab on the same batch, and prints the largest output difference and the
// batch-1 inference throughput of onnxruntime relative to visionlab, both on the same
// number of threads. Rounds alternate the two engines and the best of each counts,
// because other load on a small machine moves single figures by tens of percent.
//
//   npm run bench:onnx        (BENCH_ROUNDS, BENCH_SECONDS adjust the timing)
import { pathToFileURL } from 'node:url';
import * as T from '../src/torch/index.js';
import { createModel } from '../src/models/index.js';
import type { Module } from '../src/nn/index.js';
import { exportOnnx } from '../src/export/index.js';
import { onnxSession, runOnnx, randomizeBatchNorm, visionlabOutput, maxAbsDiff, ONNX_TOLERANCE } from './onnx-check.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Time per engine per round. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);
const BATCH = 8;

const MODELS: { name: string; input: [number, number, number] }[] = [
  { name: 'resnet18', input: [3, 224, 224] },
  { name: 'mobilenet_v2', input: [3, 224, 224] },
  { name: 'fashion-cnn-plus', input: [1, 28, 28] },
];

/** Calls per second of fn, repeated for about SECONDS. */
async function rate(fn: () => unknown): Promise<number> {
  let n = 0;
  const t0 = performance.now();
  let elapsed: number;
  do {
    await fn();
    n++;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < SECONDS);
  return n / elapsed;
}

export interface OnnxBenchResult { name: string; maxAbsDiff: number; maxAbsOutput: number; onnxPerSecond: number; visionlabPerSecond: number; exportSeconds: number; bytes: number }

export async function benchModel(name: string, input: [number, number, number], threads: number): Promise<OnnxBenchResult> {
  T.manualSeed(0);
  const model = createModel(name, { inChannels: input[0], inputSize: [input[1], input[2]] }) as Module;
  randomizeBatchNorm(model);
  model.eval();
  const batch = T.keep(T.rand([BATCH, ...input]));
  const one = T.keep(batch.index(0).unsqueeze(0));
  const t0 = performance.now();
  const bytes = exportOnnx(model, one, {});
  const exportSeconds = (performance.now() - t0) / 1000;
  const session = await onnxSession(bytes, threads);
  try {
    const ours = visionlabOutput(model, batch);
    const theirs = await runOnnx(session, batch);
    const diff = maxAbsDiff(ours, theirs.data);
    const maxAbsOutput = Math.max(...Array.from(ours, Math.abs));
    const visionlabStep = () => T.tidy(() => T.noGrad(() => { model.call(one).toTypedArray(); }));
    const onnxStep = () => runOnnx(session, one);
    for (let i = 0; i < 3; i++) { visionlabStep(); await onnxStep(); }
    let best = { onnx: 0, visionlab: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      best = { visionlab: Math.max(best.visionlab, await rate(visionlabStep)), onnx: Math.max(best.onnx, await rate(onnxStep)) };
    }
    return { name, maxAbsDiff: diff, maxAbsOutput, onnxPerSecond: best.onnx, visionlabPerSecond: best.visionlab, exportSeconds, bytes: bytes.length };
  } finally {
    await session.release();
    batch.dispose();
    one.dispose();
  }
}

async function main(): Promise<void> {
  const threads = T.getNumThreads();
  console.log(`batch ${BATCH} for the difference, batch 1 for throughput; ${threads} threads in both engines; best of ${ROUNDS} alternating rounds of ${SECONDS} s`);
  const results: OnnxBenchResult[] = [];
  for (const { name, input } of MODELS) {
    const r = await benchModel(name, input, threads);
    results.push(r);
    console.log(`${name} ${input.join('×')}: export ${r.exportSeconds.toFixed(2)} s (${(r.bytes / 2 ** 20).toFixed(1)} MiB), max abs diff ${r.maxAbsDiff.toExponential(2)} ` +
      `(largest |logit| ${r.maxAbsOutput.toFixed(3)}), onnxruntime ${r.onnxPerSecond.toFixed(1)} images/s, visionlab ${r.visionlabPerSecond.toFixed(1)} images/s, ` +
      `ratio ${(r.onnxPerSecond / r.visionlabPerSecond).toFixed(3)}`);
  }
  const diff = Math.max(...results.map((r) => r.maxAbsDiff));
  // One figure for three models: the geometric mean of their ratios.
  const ratio = Math.exp(results.reduce((s, r) => s + Math.log(r.onnxPerSecond / r.visionlabPerSecond), 0) / results.length);
  console.log(`onnx max abs diff: ${diff.toExponential(3)}`);
  console.log(`onnx/visionlab inference throughput ratio: ${ratio.toFixed(3)}`);
  if (diff > ONNX_TOLERANCE) {
    console.log(`FAIL (tolerance ${ONNX_TOLERANCE})`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
