// The segmentation zoo exported to ONNX gives per-pixel logits [N, classes, H, W] in
// onnxruntime-node equal to visionlab's eval-mode outputs to 1e-4: dilated convolutions,
// ASPP and its image-pooling branch, the decoder's concatenation and the bilinear
// upsampling to the input size. Exported with a batch of one, run on a batch of two.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rand, manualSeed, noGrad, type Tensor } from '../../src/torch/index.js';
import { Module, Sequential, Conv2d } from '../../src/nn/index.js';
import { createModel, ASPP, DeepLabV3, type CreateModelOptions } from '../../src/models/index.js';
import { exportOnnx, decodeOnnxModel, UnsupportedModuleError } from '../../src/export/index.js';
import { compareWithOnnxRuntime, randomizeBatchNorm, ONNX_TOLERANCE } from '../../bench/onnx-check.js';

const CLASSES = 5;

/**
 * `logitScale` shrinks the last convolution: untrained, the batch-norm-randomised ResNet-50
 * models give logits in the hundreds, where float32 rounding alone exceeds 1e-4 absolute,
 * so their logits are scaled to the order of one that trained models give.
 */
async function assertSegmentationMatches(name: string, input: [number, number, number], opts: CreateModelOptions, batch = 2, logitScale = 1): Promise<void> {
  manualSeed(11);
  const model = createModel(name, { numClasses: CLASSES, inChannels: input[0], ...opts }) as Module;
  randomizeBatchNorm(model);
  if (logitScale !== 1) noGrad(() => model.getSubmodule('classifier.4', Conv2d).weight.mul_(logitScale));
  const classNames = Array.from({ length: CLASSES }, (_, i) => `class ${i}`);
  const r = await compareWithOnnxRuntime(model, rand([batch, ...input]), { mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26], classNames, outputKind: 'pixel-logits' });
  assert.deepEqual(r.dims, [batch, CLASSES, input[1], input[2]]);
  assert.ok(r.maxAbsOutput > 1e-2, `largest |output| ${r.maxAbsOutput}`);
  assert.ok(r.maxAbsDiff <= ONNX_TOLERANCE, `max abs diff ${r.maxAbsDiff} (largest |output| ${r.maxAbsOutput})`);
  const meta = Object.fromEntries((decodeOnnxModel(r.bytes) as { metadataProps: { key: string; value: string }[] }).metadataProps.map((e) => [e.key, e.value]));
  assert.equal(meta.output_kind, 'pixel-logits');
  assert.deepEqual(JSON.parse(meta.class_names!), classNames);
}

const small = { widthMult: 0.25, asppChannels: 16, decoderChannels: 16 };

test('deeplabv3plus-mobilenetv2 3×64×64 (output stride 16): onnxruntime matches visionlab', async () => {
  await assertSegmentationMatches('deeplabv3plus-mobilenetv2', [3, 64, 64], small);
});

test('deeplabv3plus-mobilenetv2 3×40×56 (output stride 8, uneven upsampling): onnxruntime matches visionlab', async () => {
  await assertSegmentationMatches('deeplabv3plus-mobilenetv2', [3, 40, 56], { ...small, outputStride: 8, asppRates: [2, 3] });
});

// The ResNet-50 models have no width option: one small input keeps them quick.
test('deeplabv3_resnet50 3×32×32: onnxruntime matches visionlab', async () => {
  await assertSegmentationMatches('deeplabv3_resnet50', [3, 32, 32], {}, 1, 1 / 200);
});

test('fcn_resnet50 3×32×32: onnxruntime matches visionlab', async () => {
  await assertSegmentationMatches('fcn_resnet50', [3, 32, 32], {}, 1, 1 / 200);
});

test('lraspp_mobilenet_v3_large 3×40×56 (uneven upsampling): onnxruntime matches visionlab', async () => {
  await assertSegmentationMatches('lraspp_mobilenet_v3_large', [3, 40, 56], {});
});

/** A head step the exporter has no translation for. */
class Squash extends Module {
  override forward(x: Tensor): Tensor { return x.tanh().mul(2); }
}

test('a segmentation model with a module the exporter does not know is an error naming that module', () => {
  const model = new DeepLabV3(new Sequential(new Conv2d(3, 4, 3, { stride: 2 })), new Sequential(new ASPP(4, [1, 2], 4), new Squash()));
  assert.throws(() => exportOnnx(model, rand([1, 3, 16, 16]), { outputKind: 'pixel-logits' }), (e: Error) => {
    assert.ok(e instanceof UnsupportedModuleError);
    assert.match(e.message, /cannot export module 'classifier\.1' \(Squash\)/);
    return true;
  });
});
