// Image-level label scores read off a segmentation network: each label's sigmoid is the
// highest probability its class reaches at any pixel, the background is left out, and
// the scores rank images as the multi-label metrics expect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tidy, randn, manualSeed, tensor } from '../../src/torch/index.js';
import { Identity } from '../../src/nn/index.js';
import { SegmentationLabelScores } from '../../src/models/index.js';
import { meanAveragePrecision } from '../../src/metrics/index.js';

/** Softmax over classes of plain nested arrays [N][K][H][W], then each class's maximum over pixels. */
function peakProbabilities(logits: number[][][][]): number[][] {
  return logits.map((img) => {
    const k = img.length, h = img[0]!.length, w = img[0]![0]!.length;
    const peak = new Array<number>(k).fill(0);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const z = img.map((c) => c[y]![x]!);
        const m = Math.max(...z);
        const e = z.map((v) => Math.exp(v - m));
        const s = e.reduce((a, b) => a + b, 0);
        e.forEach((v, c) => { peak[c] = Math.max(peak[c]!, v / s); });
      }
    }
    return peak;
  });
}

test('label scores are the logits of each class\'s peak pixel probability, background left out (float64)', () => {
  manualSeed(0);
  tidy(() => {
    const logits = randn([3, 5, 4, 6], { dtype: 'float64' }).mul(3);
    const want = peakProbabilities(logits.toArray() as number[][][][]);
    for (const background of [0, 2, -1]) {
      const scorer = new SegmentationLabelScores(new Identity(), 5, background);
      const out = scorer.call(logits);
      const labels = background < 0 ? 5 : 4;
      assert.deepEqual(out.shape, [3, labels]);
      assert.equal(scorer.numLabels, labels);
      const got = out.sigmoid().toArray() as number[][];
      want.forEach((row, n) => {
        const kept = row.filter((_, c) => c !== background);
        kept.forEach((p, j) => assert.ok(Math.abs(got[n]![j]! - p) < 1e-9, `image ${n}, label ${j} (background ${background}): ${got[n]![j]} vs ${p}`));
      });
    }
  });
});

test('label scores stay finite where a class is certain or absent, and rank the images that show it first', () => {
  tidy(() => {
    // Two classes (background, object) on 1×2 images: the object is certain, absent, or faint.
    const logits = tensor([
      [[[-100, -100]], [[100, -100]]],
      [[[100, 100]], [[-100, -100]]],
      [[[0, 0]], [[-1, -3]]],
    ], { dtype: 'float64' });
    const out = new SegmentationLabelScores(new Identity(), 2).call(logits).toArray() as number[][];
    for (const [v] of out) assert.ok(Number.isFinite(v), `finite logits, got ${out.join(' | ')}`);
    assert.ok(out[0]![0]! > out[2]![0]! && out[2]![0]! > out[1]![0]!, `certain > faint > absent: ${out.join(' | ')}`);
    assert.equal(meanAveragePrecision([[1], [0], [1]], out), 1);
  });
});

test('label scores name the shapes they expected and the background they could not use', () => {
  assert.throws(() => new SegmentationLabelScores(new Identity(), 4, 4), /background must be a class index in \[0, 3\] or -1/);
  assert.throws(() => new SegmentationLabelScores(new Identity(), 1, 0), /needs at least one other class/);
  tidy(() => {
    assert.throws(() => new SegmentationLabelScores(new Identity(), 3).call(randn([2, 4, 5, 5])), /gives \[2, 4, 5, 5\], expected \[N, 3, H, W\]/);
  });
});
