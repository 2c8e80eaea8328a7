// Every zoo architecture exported to ONNX runs in onnxruntime-node with the outputs of
// visionlab's eval mode, to 1e-4: exported with a batch of one and run on a batch of
// three (the batch is dynamic), with the input normalisation folded into the graph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rand, manualSeed } from '../../src/torch/index.js';
import { createModel, vgg16_bn, type CreateModelOptions } from '../../src/models/index.js';
import { Sequential, Linear, ReLU, Dropout, type Module } from '../../src/nn/index.js';
import { decodeOnnxModel } from '../../src/export/index.js';
import { compareWithOnnxRuntime, randomizeBatchNorm, ONNX_TOLERANCE } from '../../bench/onnx-check.js';

interface Case { model: string; input: [number, number, number]; opts?: CreateModelOptions }

// Inputs are kept small where the architecture allows, so the file stays fast.
const CASES: Case[] = [
  { model: 'mlp', input: [1, 28, 28] },
  { model: 'fashion-cnn', input: [1, 28, 28] },
  { model: 'fashion-cnn-bn', input: [1, 28, 28] },
  { model: 'fashion-cnn-dropout', input: [1, 28, 28] },
  { model: 'fashion-cnn-plus', input: [1, 28, 28] },
  { model: 'fashion-vgg', input: [1, 28, 28] },
  { model: 'noisy-label-cnn', input: [3, 32, 32] },
  { model: 'alexnet-like', input: [3, 40, 40] },
  { model: 'scene-cnn', input: [3, 48, 48] },
  { model: 'resnet18', input: [3, 64, 64], opts: { numClasses: 10 } },
  { model: 'resnet18', input: [3, 32, 32], opts: { numClasses: 10, stem: 'cifar' } },
  { model: 'mobilenet_v2', input: [3, 64, 64], opts: { numClasses: 10 } },
  { model: 'mobilenet_v3_large', input: [3, 64, 64], opts: { numClasses: 10 } },
];

test('vgg16_bn 3×32×32: onnxruntime matches visionlab (classifier narrowed to keep the file small)', async () => {
  manualSeed(5);
  const model = vgg16_bn({ numClasses: 10 });
  // 32 px inputs leave 1×1 feature maps, which avgpool (adaptive, to 7×7) spreads out:
  // the uneven adaptive-pooling path. The 4096-wide head alone would be a 480 MB file.
  model.setAttr('classifier', new Sequential(new Linear(512 * 7 * 7, 64), new ReLU(), new Dropout(0.5), new Linear(64, 10)));
  randomizeBatchNorm(model);
  const r = await compareWithOnnxRuntime(model, rand([3, 3, 32, 32]), { mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] });
  assert.ok(r.maxAbsOutput > 1e-2, `largest |output| ${r.maxAbsOutput}`);
  assert.ok(r.maxAbsDiff <= ONNX_TOLERANCE, `max abs diff ${r.maxAbsDiff}`);
});

for (const c of CASES) {
  const label = `${c.model} ${c.input.join('×')}${c.opts?.stem ? ` (${c.opts.stem} stem)` : ''}`;
  test(`${label}: onnxruntime matches visionlab`, async () => {
    manualSeed(3);
    const model = createModel(c.model, { inputSize: [c.input[1], c.input[2]], inChannels: c.input[0], ...c.opts }) as Module;
    randomizeBatchNorm(model);
    model.train(); // exportOnnx exports eval mode and restores this
    const mean = c.input[0] === 1 ? [0.29] : [0.49, 0.48, 0.45];
    const std = c.input[0] === 1 ? [0.35] : [0.25, 0.24, 0.26];
    const classNames = Array.from({ length: 10 }, (_, i) => `class ${i}`);
    const images = rand([3, ...c.input]);
    const r = await compareWithOnnxRuntime(model, images, { mean, std, classNames });
    assert.equal(model.training, true, 'training mode restored');
    assert.equal(r.dims[0], 3);
    assert.ok(r.maxAbsOutput > 1e-2, `outputs large enough to compare (largest |output| ${r.maxAbsOutput})`);
    assert.ok(r.maxAbsDiff <= ONNX_TOLERANCE, `max abs diff ${r.maxAbsDiff} (largest |output| ${r.maxAbsOutput})`);

    const file = decodeOnnxModel(r.bytes) as {
      opsetImport: { version: number }[];
      metadataProps: { key: string; value: string }[];
      graph: { input: { name: string; type: { tensorType: { shape: { dim: { dimParam?: string; dimValue?: number }[] } } } }[] };
    };
    assert.equal(file.opsetImport[0]!.version, 17);
    const meta = Object.fromEntries(file.metadataProps.map((e) => [e.key, e.value]));
    assert.deepEqual(JSON.parse(meta.class_names!), classNames);
    assert.deepEqual(JSON.parse(meta.input_shape!), c.input);
    assert.deepEqual(JSON.parse(meta.mean!), mean);
    assert.deepEqual(JSON.parse(meta.std!), std);
    const dims = file.graph.input[0]!.type.tensorType.shape.dim;
    assert.equal(dims[0]!.dimParam, 'batch');
    assert.deepEqual(dims.slice(1).map((d) => d.dimValue), c.input);
  });
}
