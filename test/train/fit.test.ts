import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tidy, tensor, ops } from '../../src/torch/index.js';
import { SGD, Adam } from '../../src/optim/index.js';
import { crossEntropy } from '../../src/nn/index.js';
import { fit, evaluate, predict, clipGradNorm, type Callback } from '../../src/train/index.js';
import { toyDataset, toyLoader, toyModel } from './toy-data.js';

const train = toyDataset(320, 1);
const val = toyDataset(160, 2);

test('fit learns without validation data and records one log per epoch', async () => {
  const model = toyModel(0);
  const history = await fit(model, toyLoader(train, { shuffle: true, seed: 3 }), {
    epochs: 5, optimizer: new Adam(model.parameters(), { lr: 0.01 }), verbose: false,
  });
  assert.equal(history.epochs.length, 5);
  assert.deepEqual(history.epochs.map((e) => e.epoch), [0, 1, 2, 3, 4]);
  const last = history.last!;
  assert.ok(last.accuracy! > 0.9, `train accuracy ${last.accuracy}`);
  assert.ok(last.loss < history.epochs[0]!.loss, 'loss decreases');
  assert.equal(last.val_loss, undefined);
  assert.equal(last.lr, 0.01);
  // The epoch's accuracy/loss are what evaluation finds, give or take the last updates.
  const ev = await evaluate(model, toyLoader(train));
  assert.ok(ev.accuracy > 0.9);
  assert.equal(model.training, true, 'evaluate restores train mode');
});

test('fit with validation data reports val metrics equal to evaluate()', async () => {
  const model = toyModel(0);
  const valLoader = toyLoader(val);
  const history = await fit(model, toyLoader(train, { shuffle: true }), {
    valData: valLoader, epochs: 4, optimizer: new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }), verbose: false,
  });
  const last = history.last!;
  assert.ok(last.val_accuracy! > 0.85, `val accuracy ${last.val_accuracy}`);
  const ev = await evaluate(model, valLoader, { probs: true });
  assert.ok(Math.abs(ev.loss - last.val_loss!) < 1e-6);
  assert.equal(ev.accuracy, last.val_accuracy);
  assert.equal(ev.yTrue.length, 160);
  // Loss equals cross-entropy of the returned probabilities.
  const manual = tidy(() => ops.nll_loss(ev.probs!.log(), tensor(Array.from(ev.yTrue)).long()).item());
  assert.ok(Math.abs(manual - ev.loss) < 1e-4, `${manual} vs ${ev.loss}`);
  const p = await predict(model, val.images, { batchSize: 50 });
  assert.deepEqual(Array.from(p.labels), Array.from(ev.yPred));
  assert.deepEqual(p.probs.shape, [160, 4]);
  ev.probs!.dispose();
  p.probs.dispose();
  assert.equal(history.best('val_accuracy')!.value, Math.max(...history.epochs.map((e) => e.val_accuracy!)));
  assert.equal(history.best('val_loss')!.value, Math.min(...history.epochs.map((e) => e.val_loss!)));
});

test('zero sample weight on a class: the model does not learn it', async () => {
  const model = toyModel(0);
  const labels = train.labels!;
  const weights = Float32Array.from(labels, (l) => (l === 2 ? 0 : 1));
  await fit(model, toyLoader(train, { shuffle: true }), {
    epochs: 6, optimizer: new Adam(model.parameters(), { lr: 0.01 }), sampleWeights: weights, verbose: false,
  });
  const ev = await evaluate(model, toyLoader(val));
  let right2 = 0, n2 = 0, rightOther = 0, nOther = 0;
  ev.yTrue.forEach((t, i) => {
    if (t === 2) { n2++; if (ev.yPred[i] === 2) right2++; } else { nOther++; if (ev.yPred[i] === t) rightOther++; }
  });
  assert.ok(rightOther / nOther > 0.9, `other classes ${rightOther / nOther}`);
  assert.ok(right2 / n2 < 0.1, `class 2 accuracy ${right2 / n2}`);
});

test('class weights change the loss as PyTorch weighted cross-entropy does', async () => {
  const seen: number[] = [];
  const firstBatchLoss: Callback = { onBatchEnd(b, logs) { if (b === 0) seen.push(logs.loss); } };
  const run = async (classWeights?: number[]) => {
    const model = toyModel(0);
    const loader = toyLoader(train);
    const x = train.images.narrow(0, 0, 32), y = train.targets.narrow(0, 0, 32);
    // Expected first-batch loss, computed before the update with the same weights.
    const expected = tidy(() => crossEntropy(model.call(x), y, classWeights ? { weight: tensor(classWeights) } : {}).item());
    await fit(model, loader, { epochs: 1, optimizer: new SGD(model.parameters(), { lr: 0.1 }), classWeights, callbacks: [firstBatchLoss], verbose: false, precision: 'fp32' });
    return expected;
  };
  const plain = await run();
  const weighted = await run([1, 5, 1, 0.2]);
  assert.ok(Math.abs(seen[0]! - plain) < 1e-6);
  assert.ok(Math.abs(seen[1]! - weighted) < 1e-6);
  assert.ok(Math.abs(seen[0]! - seen[1]!) > 1e-3, 'weights make a difference');
});

test('gradClipNorm bounds the global gradient norm at every step', async () => {
  const model = toyModel(0);
  const norms: number[] = [];
  const probe: Callback = {
    onBatchEnd(_b, _logs, ctx) {
      norms.push(tidy(() => Math.sqrt(ctx.model.parameters().reduce((s, p) => s + p.grad!.square().sum().item(), 0))));
    },
  };
  await fit(model, toyLoader(train), { epochs: 1, optimizer: new SGD(model.parameters(), { lr: 0.5 }), gradClipNorm: 0.05, callbacks: [probe], verbose: false });
  assert.equal(norms.length, 10);
  for (const n of norms) assert.ok(n <= 0.05 + 1e-6, `norm ${n}`);
  assert.ok(norms.some((n) => n > 0.049), 'the large gradients were scaled to exactly the bound');
  // Small gradients are left alone.
  const p = tensor([3, 4]);
  p.requiresGrad = true;
  tidy(() => p.square().sum().mul(0.01).backward()); // grad = 0.02 * p = [0.06, 0.08], norm 0.1
  const before = clipGradNorm([p], 1)!;
  assert.ok(Math.abs(before.item() - 0.1) < 1e-6);
  assert.deepEqual(p.grad!.toFlatArray().map((v) => Math.round(v * 1e6) / 1e6), [0.06, 0.08]);
  clipGradNorm([p], 0.05);
  assert.deepEqual(p.grad!.toFlatArray().map((v) => Math.round(v * 1e5) / 1e5), [0.03, 0.04]);
});
