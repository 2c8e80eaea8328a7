// Mixed precision, channels-last and inference mode in the trainer: the same results in
// every layout, both precisions learn, state stays float32, resume is exact, evaluation runs
// in inference mode and the training precision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type Tensor, tidy, keep, randn, randint, manualSeed, noGrad, encodeSafetensors, autocastState, isInferenceMode, tensor,
} from '../../src/torch/index.js';
import { type Module, Sequential, Conv2d, BatchNorm2d, ReLU, MaxPool2d, Flatten, Linear, crossEntropy } from '../../src/nn/index.js';
import { Adam, SGD } from '../../src/optim/index.js';
import { createModel } from '../../src/models/index.js';
import {
  fit, evaluate, predict, ClassificationTask, GradScaler, resolvePrecision, chooseMemoryFormat, ModelCheckpoint,
  type StepBatch, type CallbackContext,
} from '../../src/train/index.js';
import { toyDataset, toyLoader, toyModel, maxAbsDiff } from './toy-data.js';

const train = toyDataset(384, 21);
const val = toyDataset(192, 22);

function convNet(seed: number): Module {
  manualSeed(seed);
  return new Sequential(
    new Conv2d(1, 16, 3, { padding: 1 }), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2),
    new Conv2d(16, 16, 3, { padding: 1 }), new ReLU(), new Flatten(), new Linear(16 * 4 * 4, 4),
  );
}

function copyOf(model: Module, build: () => Module): Module {
  const m = build();
  m.loadStateDict(model.stateDict());
  return m;
}

/** Parameter gradients in eval mode: batch statistics of a batch of 4 at 1×1 resolution would amplify rounding differences. */
function gradsOf(model: Module, x: Tensor, y: Tensor): Map<string, Tensor> {
  model.eval();
  for (const p of model.parameters()) p.grad = undefined;
  tidy(() => crossEntropy(model.call(x), y).backward());
  const out = new Map<string, Tensor>();
  for (const [k, p] of model.namedParameters()) if (p.grad) out.set(k, keep(p.grad.contiguous()));
  return out;
}

const ZOO: [string, { inChannels: number; inputSize: number }][] = [
  ['fashion-cnn-plus', { inChannels: 1, inputSize: 28 }],
  ['resnet18', { inChannels: 3, inputSize: 32 }],
  ['mobilenet_v2', { inChannels: 3, inputSize: 32 }],
];

for (const [name, shape] of ZOO) {
  test(`${name}: channels-last gives the outputs and gradients of the contiguous layout`, () => {
    const build = () => { manualSeed(3); return createModel(name, { numClasses: 10, ...shape }); };
    const a = build();
    const b = copyOf(a, build).to({ memoryFormat: 'channels_last' });
    assert.equal(b.memoryFormat, 'channels_last');
    const convWeights = b.parameters().filter((p) => p.ndim === 4);
    assert.ok(convWeights.length > 0 && convWeights.every((p) => p.isContiguous('channels_last') || p.shape[2] === 1 && p.shape[3] === 1));
    manualSeed(4);
    const x = keep(randn([4, shape.inChannels, shape.inputSize, shape.inputSize]));
    const y = keep(randint(0, 10, [4]));
    a.eval(); b.eval();
    const [oa, ob] = noGrad(() => [keep(a.call(x)), keep(b.call(x.contiguous('channels_last')))]);
    const scale = oa!.abs().max().item();
    assert.ok(maxAbsDiff(oa!, ob!) <= 1e-5 * Math.max(1, scale), `eval outputs differ by ${maxAbsDiff(oa!, ob!)}`);
    // The files written from either state dict are byte for byte the same: the usual layout.
    assert.ok(encodeSafetensors(a.stateDict()).equals(encodeSafetensors(b.stateDict())), 'state dict files differ');
    const ga = gradsOf(a, x, y);
    const gb = gradsOf(b, x.contiguous('channels_last'), y);
    assert.equal(ga.size, gb.size);
    for (const [k, g] of ga) {
      const d = maxAbsDiff(g, gb.get(k)!);
      const s = g.abs().max().item();
      // Summation order differs between the layouts' kernels: float32 rounding, relative to the gradient's scale.
      assert.ok(d <= 1e-3 * Math.max(1e-3, s), `${k}: gradients differ by ${d} (scale ${s})`);
    }
    for (const t of [x, y, oa!, ob!, ...ga.values(), ...gb.values()]) t.dispose();
  });
}

test('fit picks channels-last for a convolutional model and leaves an MLP contiguous; to() overrides', async () => {
  const seen: string[] = [];
  const spy = { onTrainBegin: (_l: unknown, ctx: CallbackContext) => { seen.push(`${ctx.memoryFormat!.memoryFormat}/${ctx.precision!.precision}`); } };
  const conv = convNet(1);
  await fit(conv, toyLoader(train), { epochs: 1, optimizer: new SGD(conv.parameters(), { lr: 0.01 }), verbose: false, callbacks: [spy] });
  assert.equal(conv.memoryFormat, 'channels_last');
  const mlp = toyModel(1);
  await fit(mlp, toyLoader(train), { epochs: 1, optimizer: new SGD(mlp.parameters(), { lr: 0.01 }), verbose: false, callbacks: [spy] });
  assert.equal(mlp.memoryFormat, 'contiguous_format');
  const forced = convNet(1).to({ memoryFormat: 'contiguous_format' });
  assert.equal(chooseMemoryFormat(forced, 'cpu').reason, 'set on the model');
  await fit(forced, toyLoader(train), { epochs: 1, optimizer: new SGD(forced.parameters(), { lr: 0.01 }), verbose: false, callbacks: [spy] });
  assert.ok(forced.parameters().every((p) => p.isContiguous()));
  const auto = resolvePrecision('auto', 'cpu').precision;
  assert.deepEqual(seen, [`channels_last/${auto}`, `contiguous_format/${auto}`, `contiguous_format/${auto}`]);
});

test('fp32 and bf16-mixed both learn; weights, optimizer state and logged values stay float32', async () => {
  const results: Record<string, number> = {};
  for (const precision of ['fp32', 'bf16-mixed'] as const) {
    const model = convNet(5);
    const optimizer = new Adam(model.parameters(), { lr: 0.01 });
    const h = await fit(model, toyLoader(train, { shuffle: true, seed: 1 }), { epochs: 4, optimizer, valData: toyLoader(val), precision, verbose: false });
    results[precision] = h.last!.val_accuracy!;
    assert.ok(model.parameters().every((p) => p.dtype === 'float32'), 'master weights are float32');
    for (const s of optimizer.state.values()) assert.equal(s.exp_avg.dtype, 'float32');
    assert.ok(Number.isFinite(h.last!.loss));
  }
  assert.ok(results.fp32! > 0.85, `fp32 val accuracy ${results.fp32}`);
  assert.ok(results['bf16-mixed']! > 0.85, `bf16 val accuracy ${results['bf16-mixed']}`);
  assert.ok(Math.abs(results.fp32! - results['bf16-mixed']!) < 0.1, `fp32 ${results.fp32} vs bf16 ${results['bf16-mixed']}`);
});

test('a bf16-mixed run resumed from its checkpoint ends with the weights of a straight run', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'visionlab-bf16-resume-'));
  const setup = () => {
    const model = convNet(7);
    return { model, optimizer: new Adam(model.parameters(), { lr: 0.01 }), loader: toyLoader(train, { shuffle: true, seed: 3 }) };
  };
  const straight = setup();
  await fit(straight.model, straight.loader, { epochs: 3, optimizer: straight.optimizer, precision: 'bf16-mixed', seed: 9, verbose: false });
  const first = setup();
  await fit(first.model, first.loader, {
    epochs: 2, optimizer: first.optimizer, precision: 'bf16-mixed', seed: 9, verbose: false, callbacks: [new ModelCheckpoint({ dir, monitor: 'loss' })],
  });
  const resumed = setup();
  await fit(resumed.model, resumed.loader, { epochs: 3, optimizer: resumed.optimizer, precision: 'bf16-mixed', resumeFrom: path.join(dir, 'last.ckpt'), verbose: false });
  const a = straight.model.stateDict(), b = resumed.model.stateDict();
  for (const [k, t] of a) assert.equal(maxAbsDiff(t, b.get(k)!), 0, `${k} differs after resume`);
});

/** Classification that notes the mode each forward ran in. */
class SpyTask extends ClassificationTask {
  modes: string[] = [];
  override forward(model: Module, batch: StepBatch): Tensor {
    this.modes.push(`${isInferenceMode() ? 'inference' : 'grad'}/${autocastState('cpu').enabled ? 'bf16' : 'fp32'}`);
    return super.forward(model, batch);
  }
}

test('evaluation and prediction run in inference mode and in the training precision', async () => {
  const model = convNet(8);
  const task = new SpyTask({ classWeights: [1, 2, 1, 1] });
  await fit(model, toyLoader(train), { epochs: 1, optimizer: new SGD(model.parameters(), { lr: 0.05 }), task, valData: toyLoader(val, { batchSize: 96 }), precision: 'bf16-mixed', verbose: false });
  assert.deepEqual([...new Set(task.modes)], ['grad/bf16', 'inference/bf16']);
  assert.equal(task.modes.filter((m) => m.startsWith('inference')).length, 2);
  task.modes = [];
  // Class weights cached in inference mode must not leak into training (they could not be saved for backward).
  await fit(model, toyLoader(train), { epochs: 1, optimizer: new SGD(model.parameters(), { lr: 0.05 }), task, precision: 'fp32', verbose: false });
  const ev = await evaluate(model, toyLoader(val), { task, precision: 'fp32' });
  assert.ok(ev.accuracy > 0.5);
  const p = await predict(model, val.images, { precision: 'fp32', task });
  assert.equal(p.probs.isInference, false, 'predictions are ordinary tensors');
  assert.equal(p.probs.dtype, 'float32');
  p.probs.add_(0);
  assert.deepEqual([...new Set(task.modes)], ['grad/fp32', 'inference/fp32']);
  p.probs.dispose();
});

test('resolvePrecision: auto follows the hardware, explicit choices are checked', () => {
  const auto = resolvePrecision(undefined, 'cpu');
  assert.equal(auto.requested, 'auto');
  assert.ok(['fp32', 'bf16-mixed'].includes(auto.precision));
  assert.ok(auto.reason.length > 10);
  assert.equal(resolvePrecision('bf16-mixed', 'cpu').precision, 'bf16-mixed');
  assert.throws(() => resolvePrecision('fp16-mixed', 'cpu'), /needs a CUDA device/);
  assert.throws(() => resolvePrecision('fp8' as never, 'cpu'), /must be one of auto, fp32, bf16-mixed, fp16-mixed/);
});

test('GradScaler unscales gradients, skips steps that overflowed and adapts its scale', () => {
  const w = keep(tensor([1, 2, 3]).requiresGrad_());
  const opt = new SGD([w], { lr: 0.1 });
  const scaler = new GradScaler({ initScale: 1024, growthInterval: 2 });
  tidy(() => scaler.scaleLoss(w.mul(tensor([1, 1, 1])).sum()).backward());
  assert.deepEqual(w.grad!.toArray(), [1024, 1024, 1024]);
  assert.equal(scaler.unscale(opt), false);
  assert.deepEqual(w.grad!.toArray(), [1, 1, 1]);
  scaler.update(false);
  assert.equal(scaler.scale, 1024);
  scaler.update(false);
  assert.equal(scaler.scale, 2048, 'grows after growthInterval clean steps');
  w.grad = keep(tensor([1, Infinity, 0]));
  assert.equal(scaler.unscale(opt), true);
  scaler.update(true);
  assert.equal(scaler.scale, 1024, 'halves on overflow');
  const restored = new GradScaler();
  restored.loadStateDict(scaler.stateDict());
  assert.deepEqual(restored.stateDict(), scaler.stateDict());
  w.dispose();
});
