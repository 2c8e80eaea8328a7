// Every layer against PyTorch itself: each case is built in visionlab from a seed, its
// state dict and a random input are handed to /usr/bin/python3 (Debian's torch 1.13),
// which builds the same layer from the same seed, loads the state dict with
// strict=True, runs the same forward and sends back its numbers. This checks at once:
// default initialisation (same values from the same seed), state-dict names and
// layouts, forward values, and running-statistics updates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PYTHON, skipWithout } from '../support/require-reference.js';
import { Tensor, manualSeed, randn, empty, noGrad, setNumThreads } from '../../src/torch/index.js';
import {
  Module, Linear, Conv2d, ConvTranspose2d, BatchNorm1d, BatchNorm2d, Dropout, Dropout2d, MaxPool2d, AvgPool2d,
  AdaptiveAvgPool2d, Flatten, Identity, Upsample, Sequential, ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, GELU, Hardswish, Hardsigmoid,
  Softmax, LogSoftmax, kaimingNormal_, kaimingUniform_, xavierNormal_, xavierUniform_, truncNormal_, normal_, uniform_,
} from '../../src/nn/index.js';

setNumThreads(1);


interface ModuleCase {
  name: string;
  /** The same layer in PyTorch (evaluated with `from torch import nn`). */
  py: string;
  make: () => Module;
  input: number[];
  training?: boolean;
  /** Changes the state before comparing (e.g. non-trivial running statistics). */
  prepare?: (m: Module) => void;
}

const cases: ModuleCase[] = [
  { name: 'Linear', py: 'nn.Linear(5, 3)', make: () => new Linear(5, 3), input: [4, 5] },
  { name: 'Linear 3-D input, no bias', py: 'nn.Linear(4, 2, bias=False)', make: () => new Linear(4, 2, { bias: false }), input: [2, 3, 4] },
  { name: 'Conv2d', py: 'nn.Conv2d(3, 4, 3)', make: () => new Conv2d(3, 4, 3), input: [2, 3, 6, 6] },
  {
    name: 'Conv2d stride/padding/groups', py: 'nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2)',
    make: () => new Conv2d(4, 6, 3, { stride: 2, padding: 1, groups: 2 }), input: [2, 4, 7, 7],
  },
  {
    name: 'Conv2d rectangular kernel, dilation, same', py: "nn.Conv2d(2, 3, (3, 2), dilation=2, padding='same')",
    make: () => new Conv2d(2, 3, [3, 2], { dilation: 2, padding: 'same' }), input: [1, 2, 7, 6],
  },
  {
    name: 'Conv2d even kernel same (asymmetric)', py: "nn.Conv2d(2, 3, 4, padding='same', bias=False)",
    make: () => new Conv2d(2, 3, 4, { padding: 'same', bias: false }), input: [1, 2, 5, 6],
  },
  { name: 'Conv2d valid', py: "nn.Conv2d(2, 2, 3, padding='valid')", make: () => new Conv2d(2, 2, 3, { padding: 'valid' }), input: [1, 2, 5, 5] },
  {
    name: 'Conv2d reflect', py: "nn.Conv2d(2, 2, 3, padding=1, padding_mode='reflect')",
    make: () => new Conv2d(2, 2, 3, { padding: 1, paddingMode: 'reflect' }), input: [1, 2, 5, 5],
  },
  {
    name: 'Conv2d replicate', py: "nn.Conv2d(2, 2, 3, padding=(2, 1), padding_mode='replicate')",
    make: () => new Conv2d(2, 2, 3, { padding: [2, 1], paddingMode: 'replicate' }), input: [1, 2, 5, 5],
  },
  {
    name: 'Conv2d circular same', py: "nn.Conv2d(2, 2, 4, padding='same', padding_mode='circular')",
    make: () => new Conv2d(2, 2, 4, { padding: 'same', paddingMode: 'circular' }), input: [1, 2, 5, 5],
  },
  {
    name: 'ConvTranspose2d', py: 'nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1)',
    make: () => new ConvTranspose2d(4, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }), input: [2, 4, 3, 3],
  },
  {
    name: 'ConvTranspose2d kernel = stride (1×1 conv + pixel shuffle)', py: 'nn.ConvTranspose2d(4, 3, 2, stride=2)',
    make: () => new ConvTranspose2d(4, 3, 2, { stride: 2 }), input: [2, 4, 3, 5],
  },
  {
    name: 'ConvTranspose2d groups/dilation', py: 'nn.ConvTranspose2d(4, 6, 2, stride=(2, 1), groups=2, dilation=2, bias=False)',
    make: () => new ConvTranspose2d(4, 6, 2, { stride: [2, 1], groups: 2, dilation: 2, bias: false }), input: [1, 4, 3, 4],
  },
  { name: 'BatchNorm1d train', py: 'nn.BatchNorm1d(3)', make: () => new BatchNorm1d(3), input: [5, 3], training: true },
  { name: 'BatchNorm1d train [N,C,L]', py: 'nn.BatchNorm1d(3, momentum=None)', make: () => new BatchNorm1d(3, { momentum: null }), input: [2, 3, 4], training: true },
  { name: 'BatchNorm2d train', py: 'nn.BatchNorm2d(3, momentum=0.3)', make: () => new BatchNorm2d(3, { momentum: 0.3 }), input: [2, 3, 4, 4], training: true, prepare: randomiseBatchNorm },
  { name: 'BatchNorm2d eval', py: 'nn.BatchNorm2d(3, eps=1e-3)', make: () => new BatchNorm2d(3, { eps: 1e-3 }), input: [2, 3, 4, 4], prepare: randomiseBatchNorm },
  { name: 'BatchNorm2d no affine', py: 'nn.BatchNorm2d(2, affine=False)', make: () => new BatchNorm2d(2, { affine: false }), input: [2, 2, 3, 3], training: true },
  {
    name: 'BatchNorm2d no running stats, eval', py: 'nn.BatchNorm2d(2, track_running_stats=False)',
    make: () => new BatchNorm2d(2, { trackRunningStats: false }), input: [2, 2, 3, 3],
  },
  { name: 'Dropout train', py: 'nn.Dropout(0.3)', make: () => new Dropout(0.3), input: [4, 8], training: true },
  { name: 'Dropout eval', py: 'nn.Dropout()', make: () => new Dropout(), input: [4, 8] },
  { name: 'Dropout2d train', py: 'nn.Dropout2d(0.5)', make: () => new Dropout2d(0.5), input: [2, 6, 2, 2], training: true },
  {
    name: 'MaxPool2d', py: 'nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)',
    make: () => new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }), input: [1, 2, 6, 6],
  },
  { name: 'MaxPool2d dilation', py: 'nn.MaxPool2d(2, stride=1, dilation=2)', make: () => new MaxPool2d(2, { stride: 1, dilation: 2 }), input: [1, 2, 5, 5] },
  {
    name: 'AvgPool2d', py: 'nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)',
    make: () => new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), input: [1, 2, 6, 6],
  },
  { name: 'AvgPool2d default', py: 'nn.AvgPool2d(2)', make: () => new AvgPool2d(2), input: [2, 1, 5, 4] },
  { name: 'AdaptiveAvgPool2d', py: 'nn.AdaptiveAvgPool2d((3, 2))', make: () => new AdaptiveAvgPool2d([3, 2]), input: [1, 2, 7, 5] },
  { name: 'AdaptiveAvgPool2d None side', py: 'nn.AdaptiveAvgPool2d((None, 1))', make: () => new AdaptiveAvgPool2d([null, 1]), input: [1, 2, 3, 5] },
  { name: 'Flatten', py: 'nn.Flatten(1, 2)', make: () => new Flatten(1, 2), input: [2, 3, 2, 2] },
  { name: 'Identity', py: 'nn.Identity()', make: () => new Identity(), input: [2, 3] },
  { name: 'Upsample nearest', py: 'nn.Upsample(scale_factor=2)', make: () => new Upsample({ scaleFactor: 2 }), input: [1, 2, 3, 3] },
  {
    name: 'Upsample bilinear size alignCorners', py: "nn.Upsample(size=(5, 7), mode='bilinear', align_corners=True)",
    make: () => new Upsample({ size: [5, 7], mode: 'bilinear', alignCorners: true }), input: [1, 2, 3, 4],
  },
  {
    name: 'Upsample bilinear scale 1.5', py: "nn.Upsample(scale_factor=1.5, mode='bilinear')",
    make: () => new Upsample({ scaleFactor: 1.5, mode: 'bilinear' }), input: [1, 1, 4, 4],
  },
  { name: 'ReLU', py: 'nn.ReLU()', make: () => new ReLU(), input: [3, 4] },
  { name: 'ReLU6', py: 'nn.ReLU6()', make: () => new ReLU6(), input: [3, 4], prepare: undefined },
  { name: 'LeakyReLU', py: 'nn.LeakyReLU(0.2)', make: () => new LeakyReLU(0.2), input: [3, 4] },
  { name: 'Sigmoid', py: 'nn.Sigmoid()', make: () => new Sigmoid(), input: [3, 4] },
  { name: 'Tanh', py: 'nn.Tanh()', make: () => new Tanh(), input: [3, 4] },
  { name: 'GELU', py: 'nn.GELU()', make: () => new GELU(), input: [3, 4] },
  { name: 'GELU tanh', py: "nn.GELU(approximate='tanh')", make: () => new GELU('tanh'), input: [3, 4] },
  { name: 'Hardswish', py: 'nn.Hardswish()', make: () => new Hardswish(), input: [3, 4] },
  { name: 'Hardsigmoid', py: 'nn.Hardsigmoid()', make: () => new Hardsigmoid(), input: [3, 4] },
  { name: 'Softmax', py: 'nn.Softmax(dim=1)', make: () => new Softmax(1), input: [3, 4] },
  { name: 'LogSoftmax', py: 'nn.LogSoftmax(dim=-1)', make: () => new LogSoftmax(-1), input: [2, 3, 4] },
  {
    name: 'Sequential CNN', input: [2, 3, 8, 8], training: true,
    py: 'nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, 5))',
    make: () => new Sequential(new Conv2d(3, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(64, 5)),
  },
];

/** Running statistics away from 0/1 so that eval-mode normalisation is really exercised. */
function randomiseBatchNorm(bn: Module): void {
  if (!(bn instanceof BatchNorm2d)) throw new TypeError(`randomiseBatchNorm: expected a BatchNorm2d, got ${bn.constructor.name}`);
  noGrad(() => {
    bn.runningMean!.copy_(randn([bn.numFeatures]));
    bn.runningVar!.copy_(randn([bn.numFeatures]).abs().add(0.5));
    bn.weight?.copy_(randn([bn.numFeatures]));
    bn.bias?.copy_(randn([bn.numFeatures]));
  });
}

interface InitCase { name: string; py: string; shape: number[]; run: (t: Tensor) => void }

const initCases: InitCase[] = [
  { name: 'kaimingUniform_ default', py: 'nn.init.kaiming_uniform_(t)', shape: [6, 4, 3, 3], run: (t) => kaimingUniform_(t) },
  {
    name: 'kaimingNormal_ fan_out relu', py: "nn.init.kaiming_normal_(t, mode='fan_out', nonlinearity='relu')",
    shape: [6, 4, 3, 3], run: (t) => kaimingNormal_(t, { mode: 'fan_out', nonlinearity: 'relu' }),
  },
  { name: 'xavierUniform_ gain', py: 'nn.init.xavier_uniform_(t, gain=2.0)', shape: [7, 5], run: (t) => xavierUniform_(t, 2) },
  { name: 'xavierNormal_', py: 'nn.init.xavier_normal_(t)', shape: [7, 5], run: (t) => xavierNormal_(t) },
  { name: 'truncNormal_', py: 'nn.init.trunc_normal_(t, 0.5, 2.0, -1.0, 3.0)', shape: [50], run: (t) => truncNormal_(t, 0.5, 2, -1, 3) },
  { name: 'truncNormal_ defaults', py: 'nn.init.trunc_normal_(t)', shape: [50], run: (t) => truncNormal_(t) },
  { name: 'truncNormal_ wide bounds', py: 'nn.init.trunc_normal_(t, 0.0, 1.0, -3.0, 4.0)', shape: [50], run: (t) => truncNormal_(t, 0, 1, -3, 4) },
  { name: 'normal_', py: 'nn.init.normal_(t, 1.0, 0.5)', shape: [10], run: (t) => normal_(t, 1, 0.5) },
  { name: 'uniform_', py: 'nn.init.uniform_(t, -2.0, 3.0)', shape: [10], run: (t) => uniform_(t, -2, 3) },
];

// Builds each case from its seed, loads the given state, runs the forward with the
// given RNG seed (so dropout masks match) and reports init state, output and final state.
const SCRIPT = String.raw`
import json, sys, torch
from torch import nn
torch.set_num_threads(1)
req = json.load(sys.stdin)
def T(d):
    return torch.tensor(d['data'], dtype=getattr(torch, d['dtype'])).reshape(d['shape'])
def flat(t):
    return t.detach().double().flatten().tolist()
out = {}
for c in req['modules']:
    torch.manual_seed(c['seed'])
    m = eval(c['py'])
    init = {k: flat(v) for k, v in m.state_dict().items()}
    m.load_state_dict({k: T(v) for k, v in c['state'].items()}, strict=True)
    m.train(c['training'])
    torch.manual_seed(c['forwardSeed'])
    y = m(T(c['input']))
    out[c['name']] = {'init': init, 'output': {'shape': list(y.shape), 'data': flat(y)},
                      'after': {k: flat(v) for k, v in m.state_dict().items()}}
for c in req['inits']:
    torch.manual_seed(c['seed'])
    t = torch.empty(c['shape'])
    eval(c['py'])
    out[c['name']] = flat(t)
print(json.dumps(out))
`;

function toJson(t: Tensor): { shape: number[]; dtype: string; data: number[] } {
  return { shape: t.shape, dtype: t.dtype, data: t.contiguous().toFlatArray() };
}

/** What the Python script reports for one module case. */
interface ModuleReference {
  init: Record<string, number[]>;
  output: { shape: number[]; data: number[] };
  after: Record<string, number[]>;
}

function assertClose(actual: number[], expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) assert.fail(`${what}[${i}]: visionlab ${a} vs PyTorch ${e}`);
  }
}

test('layers match PyTorch 1.13: initialisation, state dict, forward, running statistics', (t) => {
  const missing = skipWithout('torch');
  if (missing) return t.skip(missing);
  const built = cases.map((c, i) => {
    const seed = 100 + i;
    manualSeed(seed);
    const m = c.make();
    const init = new Map([...m.stateDict()].map(([k, v]) => [k, v.toFlatArray()]));
    c.prepare?.(m);
    m.train(c.training ?? false);
    const x = randn(c.input);
    const state = Object.fromEntries([...m.stateDict()].map(([k, v]) => [k, toJson(v)]));
    const forwardSeed = 1000 + i;
    manualSeed(forwardSeed);
    const y = m.call(x);
    const request = { name: c.name, py: c.py, seed, state, training: c.training ?? false, input: toJson(x), forwardSeed };
    return { c, m, init, y, request };
  });
  const inits = initCases.map((c, i) => {
    const seed = 500 + i;
    manualSeed(seed);
    const tensor = empty(c.shape);
    c.run(tensor);
    return { c, values: tensor.toFlatArray(), request: { name: c.name, py: c.py, shape: c.shape, seed } };
  });

  const proc = spawnSync(PYTHON, ['-c', SCRIPT], {
    input: JSON.stringify({ modules: built.map((b) => b.request), inits: inits.map((b) => b.request) }),
    encoding: 'utf8', maxBuffer: 64 << 20,
  });
  assert.equal(proc.status, 0, `python failed:\n${proc.stderr}`);
  // Module cases map to a ModuleReference, init cases to the initialised values.
  const ref = JSON.parse(proc.stdout) as Record<string, unknown>;

  for (const { c, m, init, y } of built) {
    const r = ref[c.name] as ModuleReference;
    assert.deepEqual([...init.keys()], Object.keys(r.init), `${c.name}: state dict names`);
    for (const [k, v] of init) assertClose(v, r.init[k], 1e-6, `${c.name}: initial ${k}`);
    assert.deepEqual(y.shape, r.output.shape, `${c.name}: output shape`);
    assertClose(y.toFlatArray(), r.output.data, 1e-5, `${c.name}: output`);
    for (const [k, v] of m.stateDict()) assertClose(v.toFlatArray(), r.after[k], 1e-5, `${c.name}: ${k} after forward`);
  }
  for (const { c, values } of inits) assertClose(values, ref[c.name] as number[], 1e-6, c.name);
});
