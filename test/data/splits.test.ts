// Splits, class weights and class regrouping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, zeros, tidy } from '../../src/torch/index.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { stratifiedSplit, randomSplit, subsetPerClass } from '../../src/data/splits.js';
import { computeClassWeights } from '../../src/data/class-weights.js';
import { regroupLabels, regroupDataset, fashionMnistRegroup } from '../../src/data/regroup.js';

/** 1000 labels: 600 of class 0, 300 of class 1, 100 of class 2, interleaved. */
function imbalanced(): Int32Array {
  const labels = new Int32Array(1000);
  for (let i = 0; i < 1000; i++) labels[i] = i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2;
  return labels;
}

function classCounts(labels: Int32Array, idx: Int32Array): number[] {
  const c = [0, 0, 0];
  for (const i of idx) c[labels[i]!]!++;
  return c;
}

test('stratifiedSplit keeps class proportions, and its parts are disjoint and cover the data', () => {
  const labels = imbalanced();
  const { train, val, test: testIdx } = stratifiedSplit(labels, { train: 0.7, val: 0.2, test: 0.1 }, 1);
  assert.deepEqual([train.length, val.length, testIdx.length], [700, 200, 100]);
  assert.deepEqual(classCounts(labels, train), [420, 210, 70]);
  assert.deepEqual(classCounts(labels, val), [120, 60, 20]);
  assert.deepEqual(classCounts(labels, testIdx), [60, 30, 10]);
  const all = new Set([...train, ...val, ...testIdx]);
  assert.equal(all.size, 1000);
  // Seeded: same seed, same split; another seed, another one.
  assert.deepEqual(stratifiedSplit(labels, { train: 0.7, val: 0.2, test: 0.1 }, 1).val, val);
  assert.notDeepEqual(stratifiedSplit(labels, { train: 0.7, val: 0.2, test: 0.1 }, 2).val, val);
});

test('stratifiedSplit with counts and uneven quotas meets every size exactly', () => {
  const labels = imbalanced();
  const { train, val, test: testIdx } = stratifiedSplit(labels, { train: 333, val: 77 }, 3);
  assert.deepEqual([train.length, val.length, testIdx.length], [333, 77, 0]);
  const tc = classCounts(labels, train);
  [0.6, 0.3, 0.1].forEach((p, c) => assert.ok(Math.abs(tc[c]! - 333 * p) <= 1, `train counts ${tc}`));
  const vc = classCounts(labels, val);
  [0.6, 0.3, 0.1].forEach((p, c) => assert.ok(Math.abs(vc[c]! - 77 * p) <= 1, `val counts ${vc}`));
  assert.equal(new Set([...train, ...val]).size, 410);
  assert.throws(() => stratifiedSplit(labels, { train: 0.8, val: 0.3 }), /sum to 1.1 > 1/);
  assert.throws(() => stratifiedSplit(labels, { train: 900, val: 200 }), /ask for 1100 samples but there are 1000/);
});

test('randomSplit and subsetPerClass', () => {
  const parts = randomSplit(10, [0.5, 0.3, 0.2], 4);
  assert.deepEqual(parts.map((p) => p.length), [5, 3, 2]);
  assert.deepEqual([...parts.flatMap((p) => [...p])].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const labels = imbalanced();
  const few = subsetPerClass(labels, 50, 5);
  assert.deepEqual(classCounts(labels, few), [50, 50, 50]);
  assert.throws(() => subsetPerClass(labels, 150), /class 2 has 100 samples, fewer than the 150 asked/);
  assert.deepEqual(classCounts(labels, subsetPerClass(labels, 150, 5, { allowFewer: true })), [150, 150, 100]);
});

test("computeClassWeights('balanced') is scikit-learn's n_samples / (n_classes · bincount)", () => {
  // sklearn.utils.class_weight.compute_class_weight('balanced', classes=[0,1,2], y=[0,0,0,0,1,1,1,2])
  // = 8 / (3 · [4, 3, 1]) = [0.6667, 0.8889, 2.6667]
  const w = computeClassWeights('balanced', [0, 0, 0, 0, 1, 1, 1, 2], 3);
  [2 / 3, 8 / 9, 8 / 3].forEach((v, i) => assert.ok(Math.abs(w[i]! - v) < 1e-12, `weights ${w}`));
  assert.throws(() => computeClassWeights('balanced', [0, 0, 2], 3), /class 1 has no samples/);
  assert.throws(() => computeClassWeights('balanced', [0, 5], 3), /labels\[1\] = 5 is not a class/);
});

test('Fashion-MNIST regrouping: Top / Bottom / Accessories', () => {
  const { mapping, classNames } = fashionMnistRegroup;
  assert.deepEqual(classNames, ['Top', 'Bottom', 'Accessories']);
  // T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot
  assert.deepEqual(Array.from(regroupLabels([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], mapping, classNames)), [0, 1, 0, 1, 0, 2, 0, 2, 2, 2]);
  tidy(() => {
    const ds = new TensorDataset(zeros([10, 1, 2, 2], { dtype: 'uint8' }), arange(0, 10), Array.from({ length: 10 }, (_, i) => `c${i}`));
    const grouped = regroupDataset(ds, mapping, classNames);
    assert.deepEqual(grouped.classNames, ['Top', 'Bottom', 'Accessories']);
    assert.deepEqual(Array.from(grouped.labels!), [0, 1, 0, 1, 0, 2, 0, 2, 2, 2]);
    const b = grouped.getBatch([9, 3, 6]);
    assert.deepEqual(b.targets.toFlatArray(), [2, 1, 0]);
    assert.equal(b.targets.dtype, 'int64');
  });
  assert.throws(() => regroupLabels([0, 1], [0, 3], ['a', 'b']), /mapping\[1\] = 3 is not one of the 2 new classes/);
  assert.throws(() => regroupLabels([0, 4], [0, 1], ['a', 'b']), /labels\[1\] = 4 has no entry/);
});
