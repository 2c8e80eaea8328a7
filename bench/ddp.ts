// Data-parallel scaling on this machine: the CIFAR-sized CNN of bench:engine (conv
// 32/64/128, dense 64; global batch 256 of 32×32×3) trained for 20 steps by one
// process with one thread, then by two processes with one thread each on halves of the
// same global batches (DistributedDataParallel over Gloo on 127.0.0.1). Prints the
// speedup per step, the largest weight difference between the two runs after the 20
// steps, and the measured cost of the gradient all-reduce (bytes per step, time) from
// which the README projects 8 and 64 workers. Dropout is switched off (eval mode) so
// that both runs compute exactly the same function. The optimizer is SGD with momentum,
// not bench:engine's Adam: Adam divides each element's step by that element's own
// gradient scale, so float32 rounding differences in near-zero gradients (the two runs
// sum in different orders) become step differences of up to lr; with Adam the weights
// of the two runs drift apart by about 1e-2 in 20 steps although both are correct.
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as T from '../src/torch/index.js';
import { crossEntropy, Dropout, type Module } from '../src/nn/index.js';
import { SGD } from '../src/optim/index.js';
import { createModel } from '../src/models/index.js';
import { initProcessGroup, type ProcessGroup } from '../src/torch/distributed/index.js';
import { DistributedDataParallel, freeTcpPort } from '../src/train/distributed/index.js';

const GLOBAL_BATCH = 256;
const STEPS = Number(process.env.BENCH_STEPS ?? 20);
const UNTIMED = 2;  // first steps allocate; the timing starts after them

interface RunResult { secondsPerStep: number; weights: Record<string, number[]>; allReduce?: { bytes: number; seconds: number } }

function build(): { model: Module; batches: { x: T.Tensor; y: T.Tensor }[] } {
  T.manualSeed(0);
  const model = createModel('noisy-label-cnn', { numClasses: 10, inChannels: 3, inputSize: 32 });
  model.train();
  for (const m of model.modules()) if (m instanceof Dropout) m.eval();
  const g = new T.Generator(1);
  const batches = Array.from({ length: STEPS }, () => ({
    x: T.keep(T.randn([GLOBAL_BATCH, 3, 32, 32], { generator: g })),
    y: T.keep(T.randint(0, 10, [GLOBAL_BATCH], { generator: g })),
  }));
  return { model, batches };
}

function train(model: Module, params: T.Tensor[], batches: { x: T.Tensor; y: T.Tensor }[], rows: [number, number]): number {
  const opt = new SGD(params, { lr: 0.01, momentum: 0.9 });
  let t0 = 0n;
  batches.forEach(({ x, y }, i) => {
    if (i === UNTIMED) t0 = process.hrtime.bigint();
    T.tidy(() => {
      opt.zeroGrad();
      crossEntropy(model.call(x.narrow(0, rows[0], rows[1])), y.narrow(0, rows[0], rows[1])).backward();
      opt.step();
    });
  });
  return Number(process.hrtime.bigint() - t0) / 1e9 / (STEPS - UNTIMED);
}

function weightsOf(model: Module): Record<string, number[]> {
  return Object.fromEntries([...model.stateDict()].map(([k, v]) => [k, v.toFlatArray()]));
}

/** Time of one all-reduce of as many bytes as the model's gradients (the traffic of one step). */
function timeAllReduce(group: ProcessGroup, numel: number): { bytes: number; seconds: number } {
  const buf = T.keep(T.zeros([numel]));
  group.allReduce(buf);
  const t0 = process.hrtime.bigint();
  const reps = 10;
  for (let i = 0; i < reps; i++) group.allReduce(buf);
  return { bytes: numel * 4, seconds: Number(process.hrtime.bigint() - t0) / 1e9 / reps };
}

async function worker(out: string): Promise<void> {
  const group = initProcessGroup({ timeoutMs: 120_000 });
  const { model, batches } = build();
  const ddp = new DistributedDataParallel(model, group);
  const local = GLOBAL_BATCH / group.worldSize;
  const secondsPerStep = train(ddp, model.parameters(), batches, [group.rank * local, local]);
  const allReduce = timeAllReduce(group, model.parameters().reduce((n, p) => n + p.numel(), 0));
  if (group.rank === 0) await writeFile(out, JSON.stringify({ secondsPerStep, weights: weightsOf(model), allReduce } satisfies RunResult));
  group.destroy();
}

async function twoProcesses(): Promise<RunResult> {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'visionlab-bench-ddp-')), 'rank0.json');
  const port = await freeTcpPort();
  const script = fileURLToPath(import.meta.url);
  const codes = await Promise.all([0, 1].map((rank) => new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [script, out], {
      stdio: 'inherit',
      env: { ...process.env, RANK: String(rank), WORLD_SIZE: '2', MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), VISIONLAB_NUM_THREADS: '1' },
    });
    child.on('exit', (code) => resolve(code));
  })));
  if (codes.some((c) => c !== 0)) throw new Error(`bench:ddp: a worker failed (exit codes ${codes.join(', ')})`);
  return JSON.parse(readFileSync(out, 'utf8')) as RunResult;
}

function maxAbsDiff(a: Record<string, number[]>, b: Record<string, number[]>): number {
  let worst = 0;
  for (const [k, va] of Object.entries(a)) va.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - b[k]![i]!)); });
  return worst;
}

async function main(): Promise<void> {
  if (process.env.RANK !== undefined) return worker(process.argv[2]!);
  T.setNumThreads(1);
  const { model, batches } = build();
  const single = train(model, model.parameters(), batches, [0, GLOBAL_BATCH]);
  const singleWeights = weightsOf(model);
  const ddp = await twoProcesses();
  const ar = ddp.allReduce!;
  console.log(`single process, 1 thread: ${(single * 1000).toFixed(1)} ms/step (${(GLOBAL_BATCH / single).toFixed(0)} images/s)`);
  console.log(`2 processes, 1 thread each: ${(ddp.secondsPerStep * 1000).toFixed(1)} ms/step (${(GLOBAL_BATCH / ddp.secondsPerStep).toFixed(0)} images/s)`);
  console.log(`ddp all-reduce per step: ${ar.bytes} bytes in ${(ar.seconds * 1000).toFixed(2)} ms (${(ar.bytes / ar.seconds / 1e6).toFixed(0)} MB/s, Gloo over loopback)`);
  console.log(`ddp speedup 2 procs: ${(single / ddp.secondsPerStep).toFixed(2)}`);
  console.log(`ddp max abs weight diff: ${maxAbsDiff(singleWeights, ddp.weights).toExponential(2)}`);
}

await main();
