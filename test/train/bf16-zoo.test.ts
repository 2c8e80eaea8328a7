// Every zoo model takes a training step under bf16 autocast, which `precision: 'auto'`
// picks on CPUs with bf16 units: each operator its forward and backward use must have a
// bfloat16 kernel (libtorch 1.13's hardtanh, behind ReLU6, had no bf16 backward on CPU).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, autocast, manualSeed, randn, tidy } from '../../src/torch/index.js';
import { createModel, listModels, modelInfo } from '../../src/models/index.js';

// VGG-16's 138M parameters make a step slow; its layers (conv, ReLU, batch norm, max-pool,
// Linear, dropout) all appear in the smaller models below.
const SKIPPED_AS_COVERED = new Set(['vgg16', 'vgg16_bn']);

function outputsOf(out: unknown): Tensor[] {
  if (out instanceof Tensor) return [out];
  return Object.values(out as Record<string, Tensor>);
}

for (const name of listModels().filter((n) => !SKIPPED_AS_COVERED.has(n))) {
  test(`${name}: a training step under bf16 autocast gives finite gradients`, () => {
    manualSeed(0);
    const [c, h, w] = modelInfo(name).defaultInput as [number, number, number];
    // The torchvision-sized models take 64 px here (adaptive pooling accepts any size).
    const [height, width] = h > 96 ? [64, 64] : [h, w];
    const model = createModel(name).train();
    tidy(() => {
      const x = randn([2, c, height, width]);
      const outs = autocast({ deviceType: 'cpu', dtype: 'bfloat16' }, () => outputsOf(model.call(x)));
      const loss = outs.map((o) => o.to('float32').square().mean()).reduce((a, b) => a.add(b));
      assert.ok(Number.isFinite(loss.item()), `${name}: loss ${loss.item()}`);
      loss.backward();
    });
    const grads = model.parameters().map((p) => p.grad).filter((g): g is Tensor => g !== undefined);
    assert.ok(grads.length > 0, `${name}: no parameter received a gradient`);
    let largest = 0;
    for (const g of grads) {
      const m = tidy(() => g.abs().max().item());
      assert.ok(Number.isFinite(m), `${name}: a gradient is not finite`);
      largest = Math.max(largest, m);
    }
    assert.ok(largest > 0, `${name}: every gradient is zero`);
  });
}
