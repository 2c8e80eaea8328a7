// Training throughput of the noisy-label study's CNN (conv 32/64/128 + pooling, dropout
// 0.2, dense 64; batch 256 of 32×32×3; Adam) in visionlab and, in the same run, in
// Debian's PyTorch, three ways: both run the same way (fp32, contiguous); each with its
// defaults (visionlab's fit() with precision 'auto' and its memory-format choice against
// PyTorch eager fp32); both in channels-last with bf16 autocast. Plus the per-call
// overhead of a tiny operator.
import * as T from '../src/torch/index.js';
import { crossEntropy } from '../src/nn/index.js';
import { Adam } from '../src/optim/index.js';
import { createModel } from '../src/models/index.js';
import { TensorDataset, DataLoader } from '../src/data/index.js';
import { fit, resolvePrecision } from '../src/train/index.js';
import { pytorchAvailable, runPython } from './pytorch-reference.js';

const BATCH = 256;
const STEPS = Number(process.env.BENCH_STEPS ?? 20);
const WARMUP = 3;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const threads = T.getNumThreads();

interface Mode { channelsLast: boolean; bf16: boolean }
const FP32: Mode = { channelsLast: false, bf16: false };
const BF16_CL: Mode = { channelsLast: true, bf16: true };

function cifarCnn() {
  T.manualSeed(0);
  return createModel('noisy-label-cnn', { numClasses: 10, inChannels: 3, inputSize: 32 });
}

function visionlabImagesPerSecond(mode: Mode): number {
  const model = cifarCnn();
  model.train();
  if (mode.channelsLast) model.to({ memoryFormat: 'channels_last' });
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = T.keep(mode.channelsLast ? T.randn([BATCH, 3, 32, 32]).contiguous('channels_last') : T.randn([BATCH, 3, 32, 32]));
  const y = T.keep(T.randint(0, 10, [BATCH]));
  const forward = () => model.call(x);
  const step = () => T.tidy(() => {
    opt.zeroGrad();
    const logits = mode.bf16 ? T.autocast({ deviceType: 'cpu', dtype: 'bfloat16' }, forward).to('float32') : forward();
    const loss = crossEntropy(logits, y);
    loss.backward();
    opt.step();
  });
  for (let i = 0; i < WARMUP; i++) step();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < STEPS; i++) step();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return (STEPS * BATCH) / s;
}

/** What a user gets without options: fit() on in-memory data, precision 'auto', the default memory format. */
async function visionlabFitImagesPerSecond(): Promise<number> {
  const model = cifarCnn();
  const images = T.keep(T.randn([BATCH * STEPS, 3, 32, 32]));
  const labels = T.keep(T.randint(0, 10, [BATCH * STEPS]));
  const data = new DataLoader(new TensorDataset(images, labels, Array.from({ length: 10 }, (_, i) => String(i))), { batchSize: BATCH });
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  await fit(model, data, { epochs: 1, optimizer, verbose: false });
  const h = await fit(model, data, { epochs: 1, optimizer, verbose: false });
  images.dispose();
  labels.dispose();
  return (BATCH * STEPS) / h.last!.time_s;
}

const pyTrain = (mode: Mode) => `
import torch, time, json, torch.nn as nn
torch.set_num_threads(${threads})
torch.manual_seed(0)
layers = []
c = 3
for o in (32, 64, 128):
    layers += [nn.Conv2d(c, o, 3, padding='same'), nn.ReLU(), nn.MaxPool2d(2)]
    c = o
model = nn.Sequential(*layers, nn.Flatten(), nn.Dropout(0.2), nn.Linear(128*4*4, 64), nn.ReLU(), nn.Linear(64, 10))
model.train()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randn(${BATCH}, 3, 32, 32)
y = torch.randint(0, 10, (${BATCH},))
if ${mode.channelsLast ? 'True' : 'False'}:
    model = model.to(memory_format=torch.channels_last)
    x = x.contiguous(memory_format=torch.channels_last)
def step():
    opt.zero_grad(set_to_none=True)
    with torch.autocast('cpu', dtype=torch.bfloat16, enabled=${mode.bf16 ? 'True' : 'False'}):
        logits = model(x)
    loss = nn.functional.cross_entropy(logits.float(), y)
    loss.backward()
    opt.step()
for _ in range(${WARMUP}): step()
t = time.perf_counter()
for _ in range(${STEPS}): step()
print(json.dumps({"ips": ${STEPS} * ${BATCH} / (time.perf_counter() - t)}))
`;

const PY_ADD = `
import torch, time, json
torch.set_num_threads(${threads})
a = torch.ones(4)
best = 1e9
for _ in range(5):
    t = time.perf_counter()
    for _ in range(100000): torch.add(a, a)
    best = min(best, (time.perf_counter() - t) / 100000)
print(json.dumps({"us": best * 1e6}))
`;

function opMicroseconds(): { visionlab: number; libtorch: number } {
  const a = T.keep(T.ones([4]));
  const n = 100_000;
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) a.add(a).dispose();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e3 / n);
  }
  let native = Infinity;
  for (let r = 0; r < 5; r++) native = Math.min(native, T.timeOpInLibtorch('aten::add', 'Tensor', n, a, a) * 1e6);
  return { visionlab: best, libtorch: native };
}

const havePy = pytorchAvailable();
console.log(`libtorch ${T.libtorchVersion()}, threads ${threads}, batch ${BATCH}, ${STEPS} timed steps, best of ${ROUNDS} alternating rounds`);
const auto = resolvePrecision('auto', 'cpu');
console.log(`precision 'auto' on this machine: ${auto.precision} (${auto.reason})`);
let vl = 0, py = 0, vlDefault = 0, vlBf16 = 0, pyBf16 = 0;
for (let r = 0; r < ROUNDS; r++) {
  vl = Math.max(vl, visionlabImagesPerSecond(FP32));
  vlDefault = Math.max(vlDefault, await visionlabFitImagesPerSecond());
  vlBf16 = Math.max(vlBf16, visionlabImagesPerSecond(BF16_CL));
  if (havePy) {
    py = Math.max(py, runPython<{ ips: number }>(pyTrain(FP32)).ips);
    pyBf16 = Math.max(pyBf16, runPython<{ ips: number }>(pyTrain(BF16_CL)).ips);
  }
}
console.log(`visionlab training throughput: ${vl.toFixed(0)} images/s`);
console.log(`visionlab default training throughput (fit, precision auto): ${vlDefault.toFixed(0)} images/s`);
console.log(`visionlab bf16 channels-last training throughput: ${vlBf16.toFixed(0)} images/s`);
if (havePy) {
  console.log(`pytorch training throughput: ${py.toFixed(0)} images/s`);
  console.log(`pytorch bf16 channels-last training throughput: ${pyBf16.toFixed(0)} images/s`);
  console.log(`throughput ratio visionlab/pytorch: ${(vl / py).toFixed(3)}`);
  console.log(`throughput ratio visionlab default/pytorch default: ${(vlDefault / py).toFixed(3)}`);
  console.log(`throughput ratio visionlab bf16/pytorch bf16: ${(vlBf16 / pyBf16).toFixed(3)}`);
} else {
  console.log('pytorch: not installed (python3-torch), no ratio');
}
const op = opMicroseconds();
console.log(`op time us (add, 4 elements): visionlab ${op.visionlab.toFixed(3)}, libtorch C++ ${op.libtorch.toFixed(3)}` +
  (havePy ? `, pytorch ${runPython<{ us: number }>(PY_ADD).us.toFixed(3)}` : ''));
console.log(`op overhead us: ${(op.visionlab - op.libtorch).toFixed(3)}`);
