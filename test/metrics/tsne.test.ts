import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';
import { tsne, tsneAffinities } from '../../src/metrics/index.js';

/** 3 Gaussian clusters in 50-D: unit-variance points around centres about 30 apart. */
function clusters(perCluster: number): { features: T.Tensor; labels: number[] } {
  T.manualSeed(7);
  const centres = T.randn([3, 50]).mul(3);
  const labels = Array.from({ length: 3 * perCluster }, (_, i) => Math.floor(i / perCluster));
  const features = centres.index(labels).add(T.randn([3 * perCluster, 50]));
  return { features, labels };
}

/** Leave-one-out 5-nearest-neighbour accuracy of the labels in the 2-D embedding. */
function knnAccuracy(points: Float32Array, labels: number[], k = 5): number {
  const n = labels.length;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const byDistance = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i)
      .map((j) => ({ j, d: (points[2 * i]! - points[2 * j]!) ** 2 + (points[2 * i + 1]! - points[2 * j + 1]!) ** 2 }))
      .sort((a, b) => a.d - b.d).slice(0, k);
    const votes = [0, 0, 0];
    for (const { j } of byDistance) votes[labels[j]!]!++;
    if (votes.indexOf(Math.max(...votes)) === labels[i]) correct++;
  }
  return correct / n;
}

test('t-SNE keeps well-separated 50-D clusters apart in 2-D, and a seed fixes the result', () => {
  const { features, labels } = clusters(50);
  const a = tsne(features, { perplexity: 30, iterations: 300, seed: 3 });
  assert.equal(a.length, 300);
  assert.ok(a.every(Number.isFinite), 'embedding has non-finite values');
  const acc = knnAccuracy(a, labels);
  assert.ok(acc > 0.95, `5-NN accuracy in the embedding is ${acc}`);

  // Clusters are separated, not just locally consistent: the gap between cluster means
  // is several times the spread inside a cluster.
  const mean = (c: number, d: number) => labels.reduce((s, l, i) => s + (l === c ? a[2 * i + d]! : 0), 0) / 50;
  const centre = [0, 1, 2].map((c) => [mean(c, 0), mean(c, 1)] as const);
  const spread = Math.sqrt(labels.reduce((s, l, i) => s + (a[2 * i]! - centre[l]![0]) ** 2 + (a[2 * i + 1]! - centre[l]![1]) ** 2, 0) / labels.length);
  for (const [c1, c2] of [[0, 1], [0, 2], [1, 2]] as const) {
    const gap = Math.hypot(centre[c1]![0] - centre[c2]![0], centre[c1]![1] - centre[c2]![1]);
    assert.ok(gap > 3 * spread, `clusters ${c1} and ${c2}: centre gap ${gap.toFixed(2)} vs spread ${spread.toFixed(2)}`);
  }

  const b = tsne(features, { perplexity: 30, iterations: 300, seed: 3 });
  assert.deepEqual(b, a, 'same seed gave a different embedding');
  const c = tsne(features, { perplexity: 30, iterations: 300, seed: 4 });
  assert.notDeepEqual(c, a, 'a different seed gave the same embedding');
});

test('t-SNE rejects bad input with a clear message', () => {
  assert.throws(() => tsne(T.zeros([10]), {}), /features must be a 2-D tensor \[N, D\], got shape \[10\]/);
  assert.throws(() => tsne(T.randn([10, 3]), { perplexity: 10 }), /perplexity must be in \(0, N = 10\)/);
  assert.throws(() => tsne(T.randn([10, 3]), { perplexity: 3, learningRate: 0 }), /learningRate must be positive/);
});

test('t-SNE affinities match the reference perplexity calibration', () => {
  const x = T.tensor([[0, 0], [1, 0], [0, 1.5], [2, 2], [3, 0.5], [-1, 1]]);
  // van der Maaten's tsne.py: P = x2p(X, tol=1e-5, perplexity=2.0); P = P + P.T; P = P / sum(P),
  // run with numpy on the same six points, rounded to 8 decimals.
  const expected = [
    [0.0, 0.13205304, 0.02260597, 6.674e-05, 0.00063041, 0.03766046],
    [0.13205304, 0.0, 0.01213832, 0.0067755, 0.02989228, 0.002944],
    [0.02260597, 0.01213832, 0.0, 0.01576328, 0.00036007, 0.11993622],
    [6.674e-05, 0.0067755, 0.01576328, 0.0, 0.1191592, 1.113e-05],
    [0.00063041, 0.02989228, 0.00036007, 0.1191592, 0.0, 3.38e-06],
    [0.03766046, 0.002944, 0.11993622, 1.113e-05, 3.38e-06, 0.0],
  ];
  const p = tsneAffinities(x, 2);
  assert.equal(p.dtype, 'float64');
  const got = p.toArray() as number[][];
  got.forEach((row, i) => row.forEach((v, j) => {
    assert.ok(Math.abs(v - expected[i]![j]!) < 2e-6, `P[${i}][${j}] = ${v}, reference ${expected[i]![j]}`);
  }));
});
