// Synthetic label noise: realised rates, transitions, and the symmetric "never itself" rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelNoise, cifar10AsymmetricMapping } from '../../src/data/label-noise.js';

function uniformLabels(n: number, k: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i % k);
}

function rowsSumToOne(t: number[][]): void {
  t.forEach((row, i) => assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12, `row ${i} sums to ${row.reduce((a, b) => a + b, 0)}`));
}

test('symmetric noise: realised rate close to the asked one, spread uniformly over the other classes', () => {
  const labels = uniformLabels(20000, 10);
  const r = labelNoise.symmetric(labels, 0.4, 10, 1);
  assert.ok(Math.abs(r.realisedRate - 0.4) < 0.015, `realised ${r.realisedRate}`);
  let changed = 0;
  r.noisyLabels.forEach((l, i) => { if (l !== labels[i]) changed++; });
  assert.equal(r.realisedRate, changed / 20000);
  rowsSumToOne(r.transitionMatrix);
  r.transitionMatrix.forEach((row, i) => row.forEach((p, j) => {
    const expected = i === j ? 0.6 : 0.4 / 9;
    assert.ok(Math.abs(p - expected) < 0.03, `T[${i}][${j}] = ${p}`);
  }));
  // Same seed, same noise; another seed, another.
  assert.deepEqual(labelNoise.symmetric(labels, 0.4, 10, 1).noisyLabels, r.noisyLabels);
  assert.notDeepEqual(labelNoise.symmetric(labels, 0.4, 10, 2).noisyLabels, r.noisyLabels);
});

test('symmetric noise never maps a label to itself: rate 1 changes every label', () => {
  const labels = uniformLabels(5000, 3);
  const r = labelNoise.symmetric(labels, 1, 3, 7);
  assert.equal(r.realisedRate, 1);
  r.transitionMatrix.forEach((row, i) => assert.equal(row[i], 0));
  assert.equal(labelNoise.symmetric(labels, 0, 3, 7).realisedRate, 0);
  assert.throws(() => labelNoise.symmetric(labels, 1.5, 3), /rate must be in \[0, 1\]/);
  assert.throws(() => labelNoise.symmetric([0, 3], 0.1, 3), /labels\[1\] = 3 is not a class in \[0, 3\)/);
});

test('asymmetric noise by mapping flips only the mapped classes, to their targets', () => {
  const labels = uniformLabels(20000, 10);
  const r = labelNoise.asymmetric(labels, { mapping: cifar10AsymmetricMapping, rate: 0.3 }, 3);
  const mapped = new Map(Object.entries(cifar10AsymmetricMapping).map(([a, b]) => [Number(a), b]));
  r.noisyLabels.forEach((l, i) => {
    const clean = labels[i]!;
    if (l !== clean) assert.equal(l, mapped.get(clean), `class ${clean} became ${l}`);
  });
  // 5 of 10 classes are mapped: expected rate 0.3 · 0.5.
  assert.ok(Math.abs(r.realisedRate - 0.15) < 0.01, `realised ${r.realisedRate}`);
  rowsSumToOne(r.transitionMatrix);
  assert.ok(Math.abs(r.transitionMatrix[9]![1]! - 0.3) < 0.03, `truck -> automobile ${r.transitionMatrix[9]![1]}`);
  assert.equal(r.transitionMatrix[0]![0], 1);
});

test('asymmetric noise by transition matrix reproduces the matrix empirically', () => {
  const t = [[0.8, 0.2, 0], [0, 0.7, 0.3], [0.1, 0, 0.9]];
  const labels = uniformLabels(30000, 3);
  const r = labelNoise.asymmetric(labels, { transition: t }, 5);
  rowsSumToOne(r.transitionMatrix);
  r.transitionMatrix.forEach((row, i) => row.forEach((p, j) => assert.ok(Math.abs(p - t[i]![j]!) < 0.015, `T[${i}][${j}] = ${p}`)));
  assert.ok(Math.abs(r.realisedRate - (0.2 + 0.3 + 0.1) / 3) < 0.01);
  assert.throws(() => labelNoise.asymmetric(labels, { transition: [[0.5, 0.4, 0], [0, 1, 0], [0, 0, 1]] }), /row 0 sums to 0.9/);
});

test('a class without samples gets an identity row', () => {
  const r = labelNoise.symmetric([0, 0, 1, 1], 0.5, 3, 1);
  assert.deepEqual(r.transitionMatrix[2], [0, 0, 1]);
});
