// The segmentation zoo exported to ONNX gives per-pixel logits [N, classes, H, W] in
// onnxruntime-node equal to visionlab's eval-mode outputs to 1e-4: dilated convolutions,
// ASPP and its image-pooling branch, the decoder's concatenation and the bilinear
// upsampling to the input size, U-Net's upsampling to each skip's size. Exported with a
// batch of one, run on a batch of two.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rand, manualSeed, noGrad, type Tensor } from '../../src/torch/index.js';
import { Module, Sequential, Conv2d } from '../../src/nn/index.js';
import { createModel, ASPP, DeepLabV3, DeepLabV3Plus, SegmentationBackbone, type SegmentationFeatures, type CreateModelOptions } from '../../src/models/index.js';
import { exportOnnx, decodeOnnxModel, UnsupportedModuleError } from '../../src/export/index.js';
import { compareWithOnnxRuntime, randomizeBatchNorm, ONNX_TOLERANCE } from '../../bench/onnx-check.js';

const CLASSES = 5;

/**
 * `logitScale` shrinks the last convolution (at `head`): untrained, the
 * batch-norm-randomised models on ResNet backbones give logits in the hundreds (ResNet-18)
 * or thousands (ResNet-50), where float32 rounding alone exceeds 1e-4 absolute, so their
 * logits are scaled to the order of one that trained models give.
 */
async function assertSegmentationMatches(name: string, input: [number, number, number], opts: CreateModelOptions, batch = 2, logitScale = 1, head = 'classifier.4'): Promise<void> {
  manualSeed(11);
  const model = createModel(name, { numClasses: CLASSES, inChannels: input[0], ...opts }) as Module;
  randomizeBatchNorm(model);
  if (logitScale !== 1) noGrad(() => model.getSubmodule(head, Conv2d).weight.mul_(logitScale));
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

// The ResNet backbones have no width option: small ASPP and decoder widths keep them quick.
test('deeplabv3plus-resnet18 3×64×64 (output stride 16): onnxruntime matches visionlab', async () => {
  await assertSegmentationMatches('deeplabv3plus-resnet18', [3, 64, 64], { asppChannels: 16, decoderChannels: 16 }, 2, 1 / 100, 'classifier');
});

test('deeplabv3plus-resnet18 3×64×64 (output stride 8, dilated BasicBlocks): onnxruntime matches visionlab', async () => {
  await assertSegmentationMatches('deeplabv3plus-resnet18', [3, 64, 64], { asppChannels: 16, decoderChannels: 16, outputStride: 8 }, 2, 1 / 100, 'classifier');
});

test('deeplabv3plus-resnet50 3×32×32: onnxruntime matches visionlab', async () => {
  await assertSegmentationMatches('deeplabv3plus-resnet50', [3, 32, 32], { asppChannels: 16, decoderChannels: 16 }, 1, 1 / 500, 'classifier');
});

// An odd size: every pooling floors, and each decoder level upsamples back to its skip's size.
for (const upsampling of ['transposed', 'bilinear'] as const) {
  test(`unet (${upsampling} upsampling) 3×37×45: onnxruntime matches visionlab`, async () => {
    await assertSegmentationMatches('unet', [3, 37, 45], { baseChannels: 4, depth: 3, upsampling });
  });
}

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

/** A backbone whose low-level features the exporter cannot know how to find. */
class TwoConvBackbone extends SegmentationBackbone {
  readonly lowChannels = 4;
  readonly highChannels = 4;
  constructor() {
    super();
    this.registerModule('low', new Conv2d(3, 4, 3, { stride: 4, padding: 1 }));
    this.registerModule('high', new Conv2d(4, 4, 3, { stride: 4, padding: 1 }));
  }

  extract(x: Tensor): SegmentationFeatures {
    const low = this.getSubmodule('low', Conv2d).call(x);
    return { low, high: this.getSubmodule('high', Conv2d).call(low) };
  }
}

test('DeepLabV3+ on a backbone the exporter does not know is an error naming the backbone', () => {
  const model = new DeepLabV3Plus(new TwoConvBackbone(), CLASSES, [1, 2], 4, 4);
  assert.throws(() => exportOnnx(model, rand([1, 3, 32, 32]), { outputKind: 'pixel-logits' }), (e: Error) => {
    assert.ok(e instanceof UnsupportedModuleError);
    assert.match(e.message, /cannot export module '\(root\)' \(DeepLabV3Plus\): its backbone is a TwoConvBackbone/);
    return true;
  });
});
