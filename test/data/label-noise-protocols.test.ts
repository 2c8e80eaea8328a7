// Noise protocols of the noisy-label study: the Fashion-MNIST asymmetric map and a clean
// subset that keeps trusted labels (stratified, seeded) while the rest gets noise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelNoise, fashionMnistAsymmetricMapping, ASYMMETRIC_MAPPINGS } from '../../src/data/label-noise.js';
import { validateConfig } from '../../src/experiment/config.js';

const labels = Int32Array.from({ length: 6000 }, (_, i) => (i * 7) % 10);

test('the Fashion-MNIST map flips only its confusable pairs, each within its garment group', () => {
  assert.equal(ASYMMETRIC_MAPPINGS['fashion-mnist'], fashionMnistAsymmetricMapping);
  const r = labelNoise.asymmetric(labels, { mapping: fashionMnistAsymmetricMapping, rate: 0.4, numClasses: 10 }, 2);
  r.noisyLabels.forEach((l, i) => {
    if (l !== labels[i]) assert.equal(l, fashionMnistAsymmetricMapping[labels[i]!]);
  });
  for (const c of [1, 3, 8]) assert.equal(r.transitionMatrix[c]![c], 1, `class ${c} stays clean`);
  assert.ok(Math.abs(r.transitionMatrix[0]![6]! - 0.4) < 0.05, `T-shirt -> Shirt ${r.transitionMatrix[0]![6]}`);
});

test('cleanSubset keeps N true labels, stratified and seeded, and noises only the rest', () => {
  const r = labelNoise.withCleanSubset(labels, 1000, 3, (l) => labelNoise.symmetric(l, 0.5, 10, 3));
  assert.equal(r.cleanIndices.length, 1000);
  const perClass = new Array<number>(10).fill(0);
  for (const i of r.cleanIndices) {
    assert.equal(r.noisyLabels[i], labels[i], `clean sample ${i} keeps its label`);
    perClass[labels[i]!]!++;
  }
  assert.deepEqual(perClass, new Array(10).fill(100), 'stratified: 100 per class');
  const isClean = new Set(r.cleanIndices);
  let flipped = 0;
  labels.forEach((l, i) => { if (!isClean.has(i) && r.noisyLabels[i] !== l) flipped++; });
  assert.equal(r.realisedRate, flipped / 5000, 'the rate is measured on the noisy part');
  r.noisyForAll.forEach((l, i) => { if (!isClean.has(i)) assert.equal(l, r.noisyLabels[i]); });
  assert.ok(r.cleanIndices.some((i) => r.noisyForAll[i] !== labels[i]), 'trusted samples also carry a drawn noisy label');
  assert.ok(Math.abs(r.realisedRate - 0.5) < 0.03);
  assert.deepEqual(labelNoise.withCleanSubset(labels, 1000, 3, (l) => labelNoise.symmetric(l, 0.5, 10, 3)).noisyLabels, r.noisyLabels);
  assert.notDeepEqual(labelNoise.withCleanSubset(labels, 1000, 4, (l) => labelNoise.symmetric(l, 0.5, 10, 4)).cleanIndices, r.cleanIndices);
  assert.throws(() => labelNoise.withCleanSubset(labels, 7000, 0, (l) => labelNoise.symmetric(l, 0.5, 10)), /cleanSubset must be an integer in \[0, 6000\]/);
});

test('the config takes a named asymmetric map and a clean subset, and names bad values', () => {
  const base = { name: 'n', dataset: { kind: 'fashion-mnist' }, model: { name: 'mlp' }, optimizer: { name: 'adam', lr: 0.001 }, epochs: 1, batchSize: 8 };
  const cfg = validateConfig({ ...base, labelNoise: { kind: 'asymmetric', rate: 0.4, mapping: 'fashion-mnist', cleanSubset: 10000 } });
  assert.equal(cfg.labelNoise?.mapping, 'fashion-mnist');
  assert.equal(cfg.labelNoise?.cleanSubset, 10000);
  assert.throws(() => validateConfig({ ...base, labelNoise: { kind: 'asymmetric', rate: 0.4, mapping: 'mnist' } }), /config\.labelNoise\.mapping.*cifar10 or fashion-mnist/);
  assert.throws(() => validateConfig({ ...base, labelNoise: { kind: 'symmetric', rate: 0.4, cleanSubset: 0.5 } }), /config\.labelNoise\.cleanSubset/);
});
