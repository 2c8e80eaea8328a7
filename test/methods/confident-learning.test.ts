// Confident learning: thresholds, the confident joint and the noise matrix by hand on a
// small example; recovering injected label flips from a good model's probabilities;
// cross-validation folds; and a run that prunes the issues and retrains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labelNoise } from '../../src/data/index.js';
import { validateConfig, runExperiment, type MethodParts } from '../../src/experiment/index.js';
import {
  confidentLearning, perClassThresholds, confidentJoint, issueDetectionScores, foldAssignment, outOfFoldProbabilities,
  confidentLearningParts, labelIssuesCsv, LABEL_ISSUES_HEADER,
} from '../../src/methods/noisy-labels/index.js';
import { writeSyntheticNpy } from '../cli/synthetic-data.js';

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol;

// Nine samples, three per given label. Sample 2 (labelled 0) looks like class 1, sample 5
// (labelled 1) like class 0, sample 8 (labelled 2) reaches no class's threshold.
const PROBS = [
  [0.9, 0.05, 0.05], [0.7, 0.2, 0.1], [0.2, 0.7, 0.1],
  [0.1, 0.8, 0.1], [0.2, 0.6, 0.2], [0.65, 0.25, 0.1],
  [0.1, 0.1, 0.8], [0.05, 0.05, 0.9], [0.4, 0.3, 0.3],
];
const LABELS = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]);

test('per-class thresholds are the mean self-confidence of each given label', () => {
  const t = perClassThresholds(PROBS.flat(), LABELS, 3);
  assert.ok(close(t[0]!, (0.9 + 0.7 + 0.2) / 3) && close(t[1]!, (0.8 + 0.6 + 0.25) / 3) && close(t[2]!, (0.8 + 0.9 + 0.3) / 3), `thresholds ${t}`);
  // Float32 probabilities give float64 means of the float32 values.
  const t32 = perClassThresholds(Float32Array.from(PROBS.flat()), LABELS, 3);
  assert.ok(close(t32[0]!, 0.6, 1e-7));
  assert.equal(perClassThresholds([0.9, 0.1, 0.8, 0.2], [0, 0], 2)[1], Infinity, 'a class nobody is labelled with gets no threshold');
  assert.throws(() => perClassThresholds([0.5, 0.5], [0, 1], 2), /probs has 2 values; 2 labels × 2 classes need 4/);
  assert.throws(() => perClassThresholds([0.5, 0.5], [2], 2), /labels\[0\] = 2 is not a class in \[0, 2\)/);
  assert.throws(() => perClassThresholds([1.5, -0.5], [0], 2), /probs\[0\]\[0\] = 1.5 is not a probability/);
});

test('the confident joint, its calibration, the joint and the noise matrix on a hand-made example', () => {
  const r = confidentLearning(Float32Array.from(PROBS.flat()), LABELS, 3);
  assert.deepEqual(r.counts, [[2, 1, 0], [1, 2, 0], [0, 0, 2]], 'rows: given label; columns: the class confidently counted as');
  assert.deepEqual([...r.assigned], [0, 0, 1, 1, 1, 0, 2, 2, -1]);
  assert.deepEqual(r.labelCounts, [3, 3, 3]);
  // Row 2 counted 2 of its 3 samples; calibration spreads the third over the row.
  assert.deepEqual(r.calibrated, [[2, 1, 0], [1, 2, 0], [0, 0, 3]]);
  const q = [[2 / 9, 1 / 9, 0], [1 / 9, 2 / 9, 0], [0, 0, 1 / 3]];
  r.joint.forEach((row, i) => row.forEach((v, j) => assert.ok(close(v, q[i]![j]!), `Q[${i}][${j}] = ${v}`)));
  // noiseMatrix[true][given] = P(given | true): column j of Q, normalised, becomes row j.
  const t = [[2 / 3, 1 / 3, 0], [1 / 3, 2 / 3, 0], [0, 0, 1]];
  r.noiseMatrix.forEach((row, j) => row.forEach((v, i) => assert.ok(close(v, t[j]![i]!), `T[${j}][${i}] = ${v}`)));
  r.truePrior.forEach((v) => assert.ok(close(v, 1 / 3)));
  assert.deepEqual(r.issues.map((x) => [x.index, x.given, x.suggested]), [[2, 0, 1], [5, 1, 0]], 'least self-confident first');
  assert.ok(close(r.issues[0]!.confidence, 0.2, 1e-7) && close(r.issues[1]!.confidence, 0.25, 1e-7));
});

test('a sample above several thresholds counts once, for its most probable class', () => {
  // Thresholds: t0 = (0.45 + 0.3) / 2 = 0.375, t1 = (0.4 + 0.2) / 2 = 0.3.
  const probs = [0.45, 0.55, 0.3, 0.7, 0.6, 0.4, 0.8, 0.2];
  const cj = confidentJoint(probs, [0, 0, 1, 1], 2);
  // Sample 0 clears both thresholds: it goes to class 1 (0.55 > 0.45), though its own class cleared too.
  assert.deepEqual([...cj.assigned], [1, 1, 0, 0]);
  assert.deepEqual(cj.counts, [[0, 2], [2, 0]]);
});

test('the issues of injected 20% flips are found with precision and recall above 0.8, and the noise matrix is recovered', () => {
  const n = 3000, k = 4;
  let s = 7;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const trueLabels = Int32Array.from({ length: n }, (_, i) => i % k);
  // A good model of the true classes: the true class's logit 4 higher, plus unit Gaussian noise.
  const probs = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const logits = Array.from({ length: k }, (_, j) => (j === trueLabels[i] ? 4 : 0) + gauss());
    const m = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b, 0);
    e.forEach((v, j) => (probs[i * k + j] = v / z));
  }
  const noise = labelNoise.symmetric(trueLabels, 0.2, k, 3);
  const r = confidentLearning(probs, noise.noisyLabels, k);
  const d = issueDetectionScores(r.issues, noise.noisyLabels, trueLabels);
  assert.ok(d.precision > 0.8 && d.recall > 0.8, `precision ${d.precision}, recall ${d.recall} (${d.found} found, ${d.wrong} wrong)`);
  const truth = labelNoise.empiricalTransition(trueLabels, noise.noisyLabels, k);
  let worst = 0;
  r.noiseMatrix.forEach((row, j) => row.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - truth[j]![i]!)))));
  assert.ok(worst < 0.05, `largest difference from the true P(given | true): ${worst}`);
  for (let i = 1; i < r.issues.length; i++) assert.ok(r.issues[i - 1]!.confidence <= r.issues[i]!.confidence, 'ranked by self-confidence');
  for (const x of r.issues) assert.notEqual(x.suggested, x.given);
});

test('issue detection scores count found, wrong and true positives', () => {
  const d = issueDetectionScores([{ index: 0 }, { index: 2 }], [1, 0, 2, 1], [0, 0, 2, 2]);
  assert.deepEqual(d, { found: 2, wrong: 2, truePositives: 1, precision: 0.5, recall: 0.5 });
  assert.ok(Number.isNaN(issueDetectionScores([], [0], [0]).precision));
});

test('folds are seeded, stratified and cover every sample once', () => {
  const labels = Int32Array.from({ length: 103 }, (_, i) => (i < 60 ? 0 : i < 90 ? 1 : 2));
  const f = foldAssignment(103, 4, 5, labels);
  assert.deepEqual([...f], [...foldAssignment(103, 4, 5, labels)], 'same seed, same folds');
  assert.notDeepEqual([...f], [...foldAssignment(103, 4, 6, labels)]);
  for (const c of [0, 1, 2]) {
    const per = [0, 0, 0, 0];
    labels.forEach((l, i) => l === c && per[f[i]!]!++);
    assert.ok(Math.max(...per) - Math.min(...per) <= 1, `class ${c} over folds: ${per}`);
  }
  const sizes = [0, 0, 0, 0];
  for (const v of foldAssignment(10, 4, 1)) sizes[v]!++;
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes}`);
  assert.throws(() => foldAssignment(3, 4, 0), /3 samples cannot fill 4 folds/);
  assert.throws(() => foldAssignment(10, 1, 0), /folds must be an integer >= 2/);
});

test('out-of-fold probabilities: every sample predicted once, by a model that did not train on it', async () => {
  const n = 20, k = 3;
  const seen = new Int32Array(n);
  const calls: (number | undefined)[] = [];
  const probs = await outOfFoldProbabilities(n, k, 4, async (train, held, o) => {
    calls.push(o?.epochs);
    const inTrain = new Set(train);
    for (const i of held) assert.ok(!inTrain.has(i), `sample ${i} both trained on and held out`);
    assert.equal(train.length + held.length, n);
    for (const i of held) seen[i]!++;
    // Row i encodes its own index, to check that rows are put back in place.
    return Float32Array.from({ length: held.length * k }, (_, x) => held[Math.floor(x / k)]! + (x % k) / 10);
  }, 1, { epochs: 2 });
  assert.deepEqual([...seen], new Array(n).fill(1));
  assert.deepEqual(calls, [2, 2, 2, 2]);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) assert.ok(close(probs[i * k + j]!, i + j / 10, 1e-5));
  await assert.rejects(outOfFoldProbabilities(8, 2, 2, async () => new Float32Array(3), 0), /fold 1 of 2 returned 3 probabilities for 4 samples × 2 classes/);
});

test('label-issues.csv has class indices and names, quoted where needed', () => {
  const csv = labelIssuesCsv([{ index: 4, given: 0, suggested: 1, confidence: 0.125 }], ['a, b', 'c']);
  assert.equal(csv, `${LABEL_ISSUES_HEADER}\n4,0,"a, b",1,c,0.125000\n`);
});

test('config.method confident-learning: defaults and ranges', () => {
  const base = { name: 'm', dataset: { kind: 'fashion-mnist' }, model: { name: 'mlp' }, optimizer: { name: 'adam', lr: 0.001 }, epochs: 3, batchSize: 8 };
  const m = validateConfig({ ...base, method: { name: 'confident-learning' } }).method;
  assert.deepEqual(m, { name: 'confident-learning', folds: 4 });
  assert.throws(() => validateConfig({ ...base, method: { name: 'confident-learning', folds: 1 } }), /config\.method\.folds/);
  assert.throws(() => validateConfig({ ...base, method: { name: 'confident-learning', foldEpochs: 0 } }), /config\.method\.foldEpochs/);
  assert.throws(() => validateConfig({ ...base, task: 'multilabel', dataset: { kind: 'voc', root: 'scenes' }, method: { name: 'confident-learning' } }),
    /config\.method\.name: 'confident-learning' finds wrong class labels: it needs task 'classification', not 'multilabel'/);
});

test('a confident-learning run finds the flipped labels, writes its files, prunes them and learns', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'visionlab-cl-'));
  try {
    writeSyntheticNpy(path.join(dir, 'data'), 360, 90);
    const cfg = {
      name: 'cl', seed: 3, dataset: { kind: 'npy', root: path.join(dir, 'data') }, labelNoise: { kind: 'symmetric', rate: 0.3 },
      transforms: { normalize: 'auto' }, model: { name: 'mlp', hidden: 64 }, optimizer: { name: 'adam', lr: 0.003 }, epochs: 4, batchSize: 32,
      method: { name: 'confident-learning', folds: 3, foldEpochs: 3 },
    };
    let parts: MethodParts | undefined;
    let score: ReturnType<typeof issueDetectionScores> | undefined;
    const lines: string[] = [];
    const r = await runExperiment(cfg, {
      quiet: true, log: (l) => lines.push(l), runsRoot: path.join(dir, 'runs'),
      buildMethod: async (c, data, setup) => {
        parts = await confidentLearningParts(c, data, setup);
        const pruned = [...parts.sampleWeights!].flatMap((w, i) => (w === 0 ? [{ index: i }] : []));
        score = issueDetectionScores(pruned, data.train.labels!, data.labelNoise!.trueLabels);
        return parts;
      },
    });
    assert.ok(parts?.sampleWeights && score);
    assert.equal(parts.sampleWeights.length, 360);
    assert.ok(score.precision > 0.8, `precision of the pruned samples ${score.precision} (30% of the labels are wrong)`);
    assert.ok(score.recall > 0.7, `recall ${score.recall}`);
    assert.ok(lines.some((l) => /^label issues: \d+ of 360 training labels/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /precision \d\.\d+, recall \d\.\d+/.test(l)), lines.join('\n'));

    const csv = readFileSync(path.join(r.runDir, 'label-issues.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], LABEL_ISSUES_HEADER);
    assert.equal(csv.length - 1, score.found, 'one CSV row per pruned sample');
    const json = JSON.parse(readFileSync(path.join(r.runDir, 'noise-matrix.json'), 'utf8')) as { estimated: number[][]; true: number[][]; detection: { precision: number } };
    assert.equal(json.estimated.length, 3);
    assert.equal(json.true.length, 3);
    assert.ok(Math.abs(json.detection.precision - score.precision) < 1e-9);
    assert.ok(existsSync(path.join(r.runDir, 'model.safetensors')));
    assert.equal(readFileSync(path.join(r.runDir, 'label-issues.png')).subarray(1, 4).toString(), 'PNG', 'the run holds the gallery of the top issues');
    assert.ok(r.testAccuracy > 0.6, `test accuracy after pruning ${r.testAccuracy} (chance 0.33)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
