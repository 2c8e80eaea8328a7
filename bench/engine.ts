// Training throughput of the noisy-label study's CNN (conv 32/64/128 + pooling, dropout
// 0.2, dense 64; batch 256 of 32×32×3; Adam) in visionlab and, in the same run, in
// Debian's PyTorch; plus the per-call overhead of a tiny operator.
import * as T from '../src/torch/index.js';
import { crossEntropy } from '../src/nn/index.js';
import { Adam } from '../src/optim/index.js';
import { createModel } from '../src/models/index.js';
import { pytorchAvailable, runPython } from './pytorch-reference.js';

const BATCH = 256;
const STEPS = Number(process.env.BENCH_STEPS ?? 20);
const WARMUP = 3;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const threads = T.getNumThreads();

function visionlabImagesPerSecond(): number {
  T.manualSeed(0);
  const model = createModel('noisy-label-cnn', { numClasses: 10, inChannels: 3, inputSize: 32 });
  model.train();
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const x = T.keep(T.randn([BATCH, 3, 32, 32]));
  const y = T.keep(T.randint(0, 10, [BATCH]));
  const step = () => T.tidy(() => {
    opt.zeroGrad();
    const loss = crossEntropy(model.call(x), y);
    loss.backward();
    opt.step();
  });
  for (let i = 0; i < WARMUP; i++) step();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < STEPS; i++) step();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return (STEPS * BATCH) / s;
}

const PY_TRAIN = `
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
def step():
    opt.zero_grad(set_to_none=True)
    loss = nn.functional.cross_entropy(model(x), y)
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
let vl = 0, py = 0;
for (let r = 0; r < ROUNDS; r++) {
  vl = Math.max(vl, visionlabImagesPerSecond());
  if (havePy) py = Math.max(py, runPython<{ ips: number }>(PY_TRAIN).ips);
}
console.log(`visionlab training throughput: ${vl.toFixed(0)} images/s`);
if (havePy) {
  console.log(`pytorch training throughput: ${py.toFixed(0)} images/s`);
  console.log(`throughput ratio visionlab/pytorch: ${(vl / py).toFixed(3)}`);
} else {
  console.log('pytorch: not installed (python3-torch), no ratio');
}
const op = opMicroseconds();
console.log(`op time us (add, 4 elements): visionlab ${op.visionlab.toFixed(3)}, libtorch C++ ${op.libtorch.toFixed(3)}` +
  (havePy ? `, pytorch ${runPython<{ us: number }>(PY_ADD).us.toFixed(3)}` : ''));
console.log(`op overhead us: ${(op.visionlab - op.libtorch).toFixed(3)}`);
