// SegmentationTask's named losses: the same numbers as the loss functions, one loss per
// image for reduction 'none', and errors naming the option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tidy, randn, randint, rand, zeros, manualSeed } from '../../src/torch/index.js';
import { lovaszSoftmax, softDiceLoss, focalLoss } from '../../src/nn/index.js';
import { SegmentationTask, type StepBatch } from '../../src/train/index.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} vs ${b}`);

test('segmentationLoss lovasz, dice and focal give the loss functions\' values, per image for reduction none', () => {
  manualSeed(2);
  tidy(() => {
    const logits = randn([2, 3, 4, 5]);
    const targets = randint(0, 3, [2, 4, 5]).maskedFill(rand([2, 4, 5]).lt(0.2), 255);
    const batch: StepBatch = { inputs: zeros([0]), targets, indices: new Int32Array(0) };
    const lovasz = new SegmentationTask({ numClasses: 3, segmentationLoss: 'lovasz' });
    close(lovasz.loss(logits, batch, 'mean').item(), lovaszSoftmax(logits, targets).item());
    const each = lovasz.loss(logits, batch, 'none').toArray() as number[];
    assert.equal(each.length, 2);
    each.forEach((v, i) => close(v, lovaszSoftmax(logits.narrow(0, i, 1), targets.narrow(0, i, 1)).item()));
    const dice = new SegmentationTask({ numClasses: 3, segmentationLoss: 'dice', classWeights: [1, 2, 3] });
    close(dice.loss(logits, batch, 'mean').item(), softDiceLoss(logits, targets, { classWeights: [1, 2, 3] }).item());
    const focal = new SegmentationTask({ numClasses: 3, segmentationLoss: 'focal' });
    close(focal.loss(logits, batch, 'mean').item(), focalLoss(logits, targets).item());
  });
});

test('segmentationLoss is checked', () => {
  assert.throws(() => new SegmentationTask({ numClasses: 3, segmentationLoss: 'iou' as 'dice' }), /segmentationLoss must be one of cross-entropy, dice, focal, lovasz, got 'iou'/);
  assert.throws(() => new SegmentationTask({ numClasses: 3, segmentationLoss: 'lovasz', loss: (l) => l.sum() }), /either loss .* or segmentationLoss/);
  assert.throws(() => new SegmentationTask({ numClasses: 3, segmentationLoss: 'lovasz', classWeights: [1, 1, 1] }), /'lovasz' takes no classWeights/);
});
