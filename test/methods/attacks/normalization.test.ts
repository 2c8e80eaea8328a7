// The model's input normalisation is applied inside the attack: attacking a model that
// expects standardised inputs, given its mean and std, is the same as attacking a model
// that standardises its [0, 1] inputs itself, and ε stays in pixel units.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, setNumThreads, tidy, type Tensor } from '../../../src/torch/index.js';
import { Module } from '../../../src/nn/index.js';
import { normalize } from '../../../src/data/index.js';
import { pgd, Victim, perSampleNorm } from '../../../src/methods/attacks/index.js';
import { trainedToyModel, quadrantImages } from '../toy-classifier.js';

setNumThreads(1);
const MEAN = [0.2];
const STD = [0.25];

/** The same network with the standardisation inside its forward. */
class Standardising extends Module {
  constructor(readonly inner: Module) {
    super();
    this.registerModule('inner', inner);
  }
  override forward(x: Tensor): Tensor { return this.inner.call(normalize(x, MEAN, STD)); }
}

test('an attack given the normalisation equals one on a model that normalises by itself', () => {
  const inner = trainedToyModel('mlp', 3);
  const { x, y } = quadrantImages(64, 11);
  tidy(() => {
    const a = pgd(inner, x, y, { eps: 0.2, steps: 5, normalization: { mean: MEAN, std: STD }, generator: new Generator(1) });
    const b = pgd(new Standardising(inner), x, y, { eps: 0.2, steps: 5, generator: new Generator(1) });
    assert.ok(a.sub(b).abs().max().item() < 1e-6);
    assert.ok(perSampleNorm(a.sub(x), 'linf').max().item() <= 0.2 + 1e-6, 'ε is in pixel units');
  });
});

test('Victim.pixels undoes the standardisation', () => {
  const v = new Victim(trainedToyModel('mlp', 3), { mean: MEAN, std: STD });
  const { x } = quadrantImages(8, 12);
  tidy(() => assert.ok(v.pixels(v.modelInput(x)).sub(x).abs().max().item() < 1e-6));
  assert.throws(() => new Victim(v.model, { mean: [0.1, 0.2], std: [1] }), /2 means but 1 stds/);
});
