import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';
import { SegmentationMeter, segmentationScores, perClassIoU, meanIoU, pixelAccuracy } from '../../src/metrics/index.js';

const near = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

// Counted pixels (target, pred): (0,0) (0,1) (1,1) (1,1) (2,2); the last target pixel is 255 and ignored.
const target = [[0, 0, 1], [1, 2, 255]];
const pred = [[0, 1, 1], [1, 2, 2]];

test('IoU, mean IoU and pixel accuracy ignore pixels labelled 255', () => {
  const t = T.tensor([target], { dtype: 'int64' });
  const p = T.tensor([pred], { dtype: 'int64' });
  // Confusion rows (true) [1 1 0], [0 2 0], [0 0 1].
  // IoU: class 0 = 1/(2+1-1) = 0.5, class 1 = 2/(2+3-2) = 2/3, class 2 = 1/(1+1-1) = 1.
  const s = segmentationScores(t, p, 3);
  assert.deepEqual(s.confusion, [[1, 1, 0], [0, 2, 0], [0, 0, 1]]);
  near(s.iou[0]!, 0.5); near(s.iou[1]!, 2 / 3); near(s.iou[2]!, 1);
  near(s.meanIoU, (0.5 + 2 / 3 + 1) / 3);
  near(s.pixelAccuracy, 4 / 5);
  // A class absent from target and prediction has no IoU and does not drag the mean down.
  const iou4 = perClassIoU(t, p, 4);
  assert.ok(Number.isNaN(iou4[3]));
  near(meanIoU(t, p, 4), (0.5 + 2 / 3 + 1) / 3);
  near(pixelAccuracy(target.flat(), pred.flat(), 3), 0.8);
  // Without an ignore index the last pixel is an error: class 255 is out of range.
  assert.throws(() => segmentationScores(t, p, 3, { ignoreIndex: -1 }), /target pixel 5 is class 255, outside \[0, 3\)/);
});

test('the meter accumulates batches into the same scores as one pass', () => {
  T.manualSeed(1);
  const t = T.randint(0, 4, [4, 8, 8]);
  const p = T.randint(0, 4, [4, 8, 8]);
  const whole = segmentationScores(t, p, 4);
  const meter = new SegmentationMeter(4);
  for (let i = 0; i < 4; i++) meter.update(t.select(0, i), p.select(0, i));
  assert.deepEqual(meter.scores(), whole);
  assert.throws(() => meter.update(t, p.select(0, 0)), /target has 256 pixels but pred has 64/);
});
