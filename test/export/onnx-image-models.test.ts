// The models that output images (autoencoders, denoisers) exported to ONNX run in
// onnxruntime-node with visionlab's eval-mode outputs to 1e-4: exported with a batch of
// one, run on batches of two and three (the batch is dynamic). Odd input sizes make the
// decoders' transposed convolutions and resizes pick output sizes the encoder left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rand, manualSeed } from '../../src/torch/index.js';
import { createModel, convAutoencoder, type CreateModelOptions } from '../../src/models/index.js';
import type { Module } from '../../src/nn/index.js';
import { exportOnnx, decodeOnnxModel, type OnnxExportOptions } from '../../src/export/index.js';
import { onnxSession, runOnnx, visionlabOutput, maxAbsDiff, randomizeBatchNorm, ONNX_TOLERANCE } from '../../bench/onnx-check.js';

/** Exports with a batch of one and compares onnxruntime with visionlab on batches of 2 and 3. */
async function assertImageModelMatches(model: Module, input: [number, number, number], options: OnnxExportOptions = {}): Promise<Uint8Array> {
  randomizeBatchNorm(model);
  const bytes = exportOnnx(model, rand([1, ...input]), { outputKind: 'image', ...options });
  const session = await onnxSession(bytes);
  try {
    for (const n of [2, 3]) {
      const images = rand([n, ...input]);
      const ours = visionlabOutput(model, images, options);
      const theirs = await runOnnx(session, images);
      assert.deepEqual(theirs.dims, [n, ...input], 'the output is an image of the input\'s shape');
      const largest = Math.max(...ours.map(Math.abs));
      assert.ok(largest > 1e-2, `largest |output| ${largest}`);
      assert.ok(maxAbsDiff(ours, theirs.data) <= ONNX_TOLERANCE, `batch ${n}: max abs diff ${maxAbsDiff(ours, theirs.data)}`);
    }
  } finally {
    await session.release();
  }
  return bytes;
}

const CASES: { model: string; input: [number, number, number]; opts?: CreateModelOptions }[] = [
  { model: 'conv-autoencoder', input: [1, 15, 13] },
  { model: 'conv-autoencoder-128x10x10', input: [3, 20, 20], opts: { inputSize: 20 } },
  { model: 'conv-autoencoder-32x38x38', input: [3, 19, 17], opts: { inputSize: [19, 17] } },
  { model: 'conv-autoencoder-32x71x71', input: [3, 16, 16], opts: { inputSize: 16 } },
  { model: 'dncnn', input: [1, 12, 10], opts: { depth: 4, features: 8 } },
  { model: 'unet-denoiser', input: [1, 15, 13], opts: { widths: [4, 8, 16] } },
  { model: 'unet-denoiser', input: [3, 12, 12], opts: { widths: [4, 8], residual: false } },
];

for (const c of CASES) {
  test(`${c.model} ${c.input.join('×')}${c.opts?.residual === false ? ' (not residual)' : ''}: onnxruntime matches visionlab`, async () => {
    manualSeed(7);
    const model = createModel(c.model, { inChannels: c.input[0], inputSize: [c.input[1], c.input[2]], ...c.opts }) as Module;
    model.train(); // exportOnnx exports eval mode and restores this
    const bytes = await assertImageModelMatches(model, c.input);
    assert.equal(model.training, true, 'training mode restored');
    const file = decodeOnnxModel(bytes) as { metadataProps: { key: string; value: string }[]; graph: { output: { name: string }[] } };
    const meta = Object.fromEntries(file.metadataProps.map((e) => [e.key, e.value]));
    assert.equal(meta.output_kind, 'image');
    assert.equal(meta.output, 'image');
    assert.equal(file.graph.output[0]!.name, 'image');
  });
}

test('conv autoencoder variants: strided stages, upsampling decoder, batch norm; normalisation folded in', async () => {
  manualSeed(8);
  const stages = [{ channels: 4, downsample: 'stride' as const }, { channels: 6, kernel: 5 }, { channels: 8, padding: 'valid' as const, downsample: 'none' as const }];
  for (const decoder of ['upsample', 'transposed'] as const) {
    const model = convAutoencoder({ inChannels: 3, inputSize: [17, 15], stages, decoder, batchNorm: true });
    await assertImageModelMatches(model, [3, 17, 15], { mean: [0.4, 0.5, 0.6], std: [0.2, 0.3, 0.25] });
  }
});

test('an output kind that does not fit the output is an error naming both shapes', () => {
  const model = createModel('dncnn', { depth: 2, features: 4 }) as Module;
  assert.throws(() => exportOnnx(model, rand([1, 1, 8, 8]), { outputKind: 'logits' }),
    /outputKind 'logits' expects an output \[N, classes\] for the input \[1, 1, 8, 8\], but the model gives \[1, 1, 8, 8\]/);
  assert.throws(() => exportOnnx(model, rand([1, 1, 8, 8]), { outputKind: 'pixels' as never }), /options\.outputKind must be/);
});
