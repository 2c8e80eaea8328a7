// The segmentation U-Net: logits at the input size whether or not it divides by 2^depth,
// both upsampling modes, registry and config names, and a quick fit on bright squares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randn, rand, tensor, tidy, noGrad, manualSeed } from '../../src/torch/index.js';
import { TensorDataset, DataLoader } from '../../src/data/index.js';
import { Adam } from '../../src/optim/index.js';
import { fit, evaluate, SegmentationTask } from '../../src/train/index.js';
import { createModel, UNet } from '../../src/models/index.js';
import { validateConfig } from '../../src/experiment/index.js';

test('unet gives [N, C, H, W] logits for sizes that do and do not divide by 2^depth', () => {
  manualSeed(0);
  for (const upsampling of ['transposed', 'bilinear'] as const) {
    const model = createModel('unet', { numClasses: 3, inChannels: 2, baseChannels: 4, depth: 4, upsampling }) as UNet;
    model.eval();
    tidy(() => noGrad(() => {
      for (const [h, w] of [[32, 48], [21, 35], [16, 17]] as const) {
        assert.deepEqual(model.call(randn([2, 2, h, w])).shape, [2, 3, h, w], `${upsampling} ${h}×${w}`);
      }
      assert.throws(() => model.call(randn([1, 2, 15, 32])), /H and W at least 2\^depth = 16, got \[1, 2, 15, 32\]/);
    }));
  }
  const shallow = createModel('unet', { numClasses: 2, depth: 1, baseChannels: 2 });
  tidy(() => noGrad(() => assert.deepEqual(shallow.call(randn([1, 3, 5, 7])).shape, [1, 2, 5, 7])));
  assert.throws(() => createModel('unet', { baseChannels: 0 }), /unet: baseChannels must be a positive integer, got 0/);
  assert.throws(() => createModel('unet', { upsampling: 'nearest' as 'bilinear' }), /upsampling must be 'transposed' or 'bilinear'/);
});

test('a config names unet with its options for task segmentation', () => {
  const cfg = {
    name: 'unet', seed: 0, task: 'segmentation', dataset: { kind: 'voc', root: '/nowhere' }, split: { val: 2 },
    model: { name: 'unet', baseChannels: 8, depth: 3, upsampling: 'bilinear' }, optimizer: { name: 'adam', lr: 0.003 }, epochs: 1, batchSize: 4,
  };
  assert.equal(validateConfig(cfg).model.baseChannels, 8);
  assert.throws(() => validateConfig({ ...cfg, model: { name: 'unet', upsampling: 'nearest' } }), /config\.model\.upsampling/);
  assert.throws(() => validateConfig({ ...cfg, model: { name: 'unet', baseChannels: 0 } }), /config\.model\.baseChannels/);
});

/** 16×16 grey noise with one bright 5×5 square (class 1) per image. */
function squares(n: number, seed: number): TensorDataset {
  manualSeed(seed);
  const noise = rand([n, 1, 16, 16]).toTypedArray() as Float32Array;
  const spots = rand([n, 2]).toTypedArray() as Float32Array;
  const images = Float32Array.from(noise, (v) => v * 0.4);
  const masks = new BigInt64Array(n * 256);
  for (let i = 0; i < n; i++) {
    const top = Math.floor(spots[2 * i]! * 11), left = Math.floor(spots[2 * i + 1]! * 11);
    for (let y = top; y < top + 5; y++) {
      for (let x = left; x < left + 5; x++) {
        images[i * 256 + y * 16 + x] = 0.6 + 0.4 * noise[i * 256 + y * 16 + x]!;
        masks[i * 256 + y * 16 + x] = 1n;
      }
    }
  }
  return new TensorDataset(tensor(images, { shape: [n, 1, 16, 16] }), tensor(masks, { shape: [n, 16, 16] }), ['background', 'square']);
}

test('a small unet learns bright squares in a few epochs', async () => {
  const train = squares(48, 1), val = squares(16, 2);
  manualSeed(3);
  const model = createModel('unet', { numClasses: 2, inChannels: 1, baseChannels: 4, depth: 2 });
  const task = new SegmentationTask({ numClasses: 2 });
  const valLoader = new DataLoader(val, { batchSize: 16 });
  const history = await fit(model, new DataLoader(train, { batchSize: 8, shuffle: true }), {
    epochs: 6, optimizer: new Adam(model.parameters(), { lr: 0.01 }), task, valData: valLoader, verbose: false,
  });
  const last = history.epochs.at(-1)!;
  // Everything called background scores mIoU ≈ (1 − 25/256) / 2 ≈ 0.45.
  assert.ok(last.val_mIoU! > 0.8, `val mIoU ${last.val_mIoU}`);
  const after = await evaluate(model, valLoader, { task });
  assert.ok(after.metrics.pixel_accuracy! > 0.95, `pixel accuracy ${after.metrics.pixel_accuracy}`);
});
