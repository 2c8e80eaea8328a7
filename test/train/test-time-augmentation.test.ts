import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, tidy, randn, randint, manualSeed, noGrad } from '../../src/torch/index.js';
import { TensorDataset } from '../../src/data/index.js';
import {
  evaluate, predict, ClassificationTask, SegmentationTask, TestTimeAugmentation, withTestTimeAugmentation, ttaViews,
} from '../../src/train/index.js';
import { validateConfig, runExperiment, openRun, runTestLoader, loadPredictiveModel } from '../../src/experiment/index.js';
import { toyModel, toyLoader } from './toy-data.js';
import { Sequential, Conv2d, ReLU } from '../../src/nn/index.js';
import { writeSyntheticNpy } from '../cli/synthetic-data.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

type Image = number[][][];

/** The image moved by (dy, dx) pixels, the uncovered edge at each channel's darkest value, written out index by index. */
function shiftByHand(img: Image, dy: number, dx: number): Image {
  return img.map((ch) => {
    const darkest = Math.min(...ch.flat());
    return ch.map((row, i) => row.map((_, j) => ch[i - dy]?.[j - dx] ?? darkest));
  });
}

const mirror = (img: Image): Image => img.map((ch) => ch.map((row) => [...row].reverse()));

function softmax64(logits: number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** The model's probabilities for each image, averaged over the given views, in float64. */
function averagedByHand(model: ReturnType<typeof toyModel>, images: Image[], views: ((img: Image) => Image)[]): number[][] {
  return images.map((img) => {
    const probs = views.map((v) => softmax64(tidy(() => noGrad(() => (model.call(tensor([v(img)])).toArray() as number[][])[0]!))));
    return probs[0]!.map((_, c) => probs.reduce((s, p) => s + p[c]!, 0) / probs.length);
  });
}

function maxDiff(a: number[][], b: number[][]): number {
  return Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i]![j]!))));
}

test('test-time augmentation averages the class probabilities of the image and its mirrored and shifted views', async () => {
  const model = toyModel(3).eval();
  manualSeed(5);
  const x = randn([6, 1, 8, 8]);
  const images = x.toArray() as Image[];
  const shifts = [(i: Image) => i, (i: Image) => shiftByHand(i, -1, 0), (i: Image) => shiftByHand(i, 1, 0), (i: Image) => shiftByHand(i, 0, -1), (i: Image) => shiftByHand(i, 0, 1)];

  const flip = new TestTimeAugmentation(new ClassificationTask(), ['hflip']);
  assert.equal(flip.viewCount, 2);
  const byFlip = await predict(model, x, { task: flip, precision: 'fp32' });
  assert.ok(maxDiff(byFlip.probs.toArray() as number[][], averagedByHand(model, images, [(i) => i, mirror])) < 1e-6);

  const tenViews = new TestTimeAugmentation(new ClassificationTask(), ['hflip', 'shift']);
  assert.equal(tenViews.viewCount, 10);
  const byTen = await predict(model, x, { task: tenViews, precision: 'fp32' });
  const expected = averagedByHand(model, images, [...shifts, ...shifts.map((s) => (i: Image) => s(mirror(i)))]);
  assert.ok(maxDiff(byTen.probs.toArray() as number[][], expected) < 1e-6);
  // The label is the argmax of the averaged probabilities, which here differs from the image alone's for some images.
  assert.deepEqual([...byTen.labels], expected.map((p) => p.indexOf(Math.max(...p))));
  const alone = await predict(model, x, { precision: 'fp32' });
  assert.ok(maxDiff(alone.probs.toArray() as number[][], expected) > 1e-3, 'the views change the probabilities');
  for (const t of [x, byFlip.probs, byTen.probs, alone.probs]) t.dispose();
});

test('evaluate with test-time augmentation scores the averaged probabilities: loss and accuracy', async () => {
  const model = toyModel(4).eval();
  manualSeed(6);
  const x = randn([40, 1, 8, 8]);
  const y = randint(0, 4, [40]);
  const data = new TensorDataset(x, y, ['a', 'b', 'c', 'd']);
  const task = new TestTimeAugmentation(new ClassificationTask(), ['hflip', 'vflip']);
  assert.equal(task.viewCount, 4);
  const r = await evaluate(model, toyLoader(data), { task, precision: 'fp32' });
  const flipV = (img: Image): Image => img.map((ch) => [...ch].reverse());
  const probs = averagedByHand(model, x.toArray() as Image[], [(i) => i, mirror, flipV, (i) => flipV(mirror(i))]);
  const labels = y.toArray() as number[];
  const loss = probs.reduce((s, p, i) => s - Math.log(p[labels[i]!]!), 0) / labels.length;
  const accuracy = probs.filter((p, i) => p.indexOf(Math.max(...p)) === labels[i]).length / labels.length;
  assert.ok(Math.abs(r.loss - loss) < 1e-5, `loss ${r.loss} against ${loss}`);
  assert.equal(r.accuracy, accuracy);
  assert.deepEqual([...r.yPred], probs.map((p) => p.indexOf(Math.max(...p))));
});

test('segmentation: each view\'s per-pixel probabilities are flipped back before the average', async () => {
  manualSeed(7);
  // A convolution whose 3×3 kernel is not symmetric, so a mirrored image does not give a mirrored map.
  const model = new Sequential(new Conv2d(2, 3, 3, { padding: 1 }), new ReLU(), new Conv2d(3, 4, 3, { padding: 1 })).eval();
  const x = randn([3, 2, 5, 6]);
  const images = x.toArray() as Image[];
  const flipH = (img: Image): Image => img.map((ch) => ch.map((row) => [...row].reverse()));
  const flipV = (img: Image): Image => img.map((ch) => [...ch].reverse());
  const mapOf = (img: Image): Image => tidy(() => noGrad(() => (model.call(tensor([img])).toArray() as Image[])[0]!));
  // Per pixel, softmax over the 4 channels in float64, averaged over the views put back in place.
  const probsOf = (logits: Image): Image => {
    const [k, h, w] = [logits.length, logits[0]!.length, logits[0]![0]!.length];
    const out: Image = Array.from({ length: k }, () => Array.from({ length: h }, () => new Array<number>(w).fill(0)));
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) softmax64(logits.map((ch) => ch[i]![j]!)).forEach((p, c) => { out[c]![i]![j] = p; });
    return out;
  };
  const views: [(i: Image) => Image, (i: Image) => Image][] = [[(i) => i, (i) => i], [flipH, flipH], [flipV, flipV], [(i) => flipV(flipH(i)), (i) => flipH(flipV(i))]];
  const expected = images.map((img) => {
    const each = views.map(([apply, restore]) => probsOf(restore(mapOf(apply(img)))));
    return each[0]!.map((ch, c) => ch.map((row, i) => row.map((_, j) => each.reduce((s, p) => s + p[c]![i]![j]!, 0) / each.length)));
  });
  const task = new TestTimeAugmentation(new SegmentationTask({ numClasses: 4 }), ['hflip', 'vflip']);
  assert.equal(task.viewCount, 4);
  const got = noGrad(() => tidy(() => task.predict(task.forward(model, { inputs: x, targets: x, indices: new Int32Array(3) })).toArray() as Image[]));
  const diff = Math.max(...got.flatMap((img, n) => img.flatMap((ch, c) => ch.flatMap((row, i) => row.map((v, j) => Math.abs(v - expected[n]![c]![i]![j]!))))));
  assert.ok(diff < 1e-6, `largest difference ${diff}`);
  // Averaging the views' maps as they come, without putting them back, gives other maps.
  const unrestored = images.map((img) => {
    const each = views.map(([apply]) => probsOf(mapOf(apply(img))));
    return each[0]!.map((ch, c) => ch.map((row, i) => row.map((_, j) => each.reduce((s, p) => s + p[c]![i]![j]!, 0) / each.length)));
  });
  const apart = Math.max(...got.flatMap((img, n) => img.flatMap((ch, c) => ch.flatMap((row, i) => row.map((v, j) => Math.abs(v - unrestored[n]![c]![i]![j]!))))));
  assert.ok(apart > 1e-3, `the views put back make a difference: ${apart}`);
  x.dispose();
});

test('test-time augmentation: view counts, the task it needs, and the config field', () => {
  assert.deepEqual([[], ['hflip'], ['vflip', 'hflip'], ['shift'], ['hflip', 'shift'], ['hflip', 'vflip', 'shift']].map((v) => ttaViews(v as never).length), [1, 2, 4, 5, 10, 20]);
  assert.throws(() => ttaViews(['rot90' as never]), /unknown view 'rot90' \(expected hflip, vflip, shift\)/);
  assert.throws(() => new TestTimeAugmentation(new SegmentationTask({ numClasses: 3 }), ['shift']), /segmentation task: 'shift' would leave an edge/);
  assert.throws(() => new TestTimeAugmentation({ ...new ClassificationTask(), name: 'denoise' } as never, ['hflip']), /needs a classification or segmentation task, not 'denoise'/);
  const plain = new ClassificationTask();
  assert.equal(withTestTimeAugmentation(plain, undefined), plain);
  assert.equal(withTestTimeAugmentation(plain, []), plain);
  const base = { name: 't', dataset: { kind: 'fashion-mnist' }, model: { name: 'mlp' }, optimizer: { name: 'adam', lr: 1e-3 }, epochs: 1, batchSize: 8 };
  assert.deepEqual(validateConfig({ ...base, tta: ['hflip', 'shift'] }).tta, ['hflip', 'shift']);
  assert.throws(() => validateConfig({ ...base, tta: ['spin'] }), /config\.tta\[0\]/);
  assert.throws(() => validateConfig({ ...base, task: 'denoise', model: { name: 'dncnn' }, noise: { kind: 'gaussian', std: 0.3 }, transforms: { normalize: 'none' }, tta: ['hflip'] }),
    /config\.tta: .*needs task 'classification', not 'denoise'/);
});


test('a run with tta in its config scores its test set, its report and its predictive model from the views', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'visionlab-tta-'));
  try {
    writeSyntheticNpy(path.join(dir, 'data'), 300, 90);
    const r = await runExperiment({
      name: 'tta', seed: 1, dataset: { kind: 'npy', root: path.join(dir, 'data') }, transforms: { normalize: 'auto' }, model: { name: 'mlp', hidden: 32 },
      optimizer: { name: 'adam', lr: 0.003 }, epochs: 2, batchSize: 32, tta: ['hflip', 'shift'],
    }, { quiet: true, runsRoot: path.join(dir, 'runs') });
    // The same figures from the saved model, through the views and without them.
    const run = await openRun(r.runDir);
    const { loader } = await runTestLoader(run);
    const views = await evaluate(run.model, loader, { task: new TestTimeAugmentation(new ClassificationTask(), ['hflip', 'shift']), probs: true });
    const alone = await evaluate(run.model, loader);
    assert.equal(r.testAccuracy, views.accuracy);
    assert.ok(Math.abs(r.testLoss - views.loss) < 1e-5, `run loss ${r.testLoss} against ${views.loss}`);
    assert.ok(Math.abs(r.testLoss - alone.loss) > 1e-3, 'the views change the test loss');
    const metrics = JSON.parse(readFileSync(path.join(r.runDir, 'metrics.json'), 'utf8'));
    assert.equal(metrics.test_accuracy, views.accuracy);
    assert.ok(Math.abs(metrics.test_loss - views.loss) < 1e-5, `report loss ${metrics.test_loss} against ${views.loss}`);
    const testSet = (await runTestLoader(run)).data.test;
    const { inputs } = testSet.getBatch(Int32Array.from({ length: testSet.length }, (_, i) => i));
    const predictive = await loadPredictiveModel(r.runDir);
    assert.deepEqual([...(predictive(inputs) as Int32Array)], [...views.yPred]);
    views.probs!.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
