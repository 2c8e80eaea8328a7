// Self-paced learning: each weighting against its formula in float64, the pace, and a
// noisy run in which the admitted samples are mostly the correctly labelled ones and the
// model learns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, tidy } from '../../src/torch/index.js';
import { DataLoader, labelNoise } from '../../src/data/index.js';
import { Adam } from '../../src/optim/index.js';
import { fit, evaluate } from '../../src/train/index.js';
import { RelabelledDataset } from '../../src/experiment/index.js';
import {
  selfPacedWeights, SelfPacedLearning, admittedFraction, lossQuantile, type SelfPacedWeighting,
} from '../../src/methods/self-paced/index.js';
import { toyDataset, toyLoader, toyModel } from '../train/toy-data.js';

const LOSSES = [0, 0.01, 0.1, 0.2, 0.29, 0.3, 0.45, 0.5999, 0.6, 0.61, 0.9, 1.5, 3, 10];

const FORMULAS: Record<SelfPacedWeighting, (l: number, lambda: number, low: number) => number> = {
  hard: (l, lambda) => (l < lambda ? 1 : 0),
  linear: (l, lambda) => Math.max(1 - l / lambda, 0),
  logarithmic: (l, lambda) => {
    const zeta = 1 - lambda;
    return l < lambda ? Math.log(l + zeta) / Math.log(zeta) : 0;
  },
  mixture: (l, lambda, low) => {
    const zeta = (lambda * low) / (lambda - low);
    return l <= low ? 1 : l >= lambda ? 0 : zeta / l - zeta / lambda;
  },
};

for (const kind of Object.keys(FORMULAS) as SelfPacedWeighting[]) {
  test(`self-paced ${kind} weights match their formula in float64`, () => {
    for (const lambda of [0.3, 0.6, 0.95]) {
      const low = lambda / 2;
      const got = tidy(() => selfPacedWeights(kind, tensor(LOSSES, { dtype: 'float64' }), { lambda, lambdaLow: low }).toFlatArray());
      LOSSES.forEach((l, i) => {
        const want = FORMULAS[kind](l, lambda, low);
        assert.ok(Math.abs(got[i]! - want) < 1e-12, `${kind}, lambda ${lambda}, loss ${l}: got ${got[i]}, formula ${want}`);
        assert.ok(got[i]! >= 0 && got[i]! <= 1);
      });
    }
  });
}

test('self-paced weightings reject a lambda outside their range, naming it', () => {
  const l = tensor([0.1, 0.2]);
  assert.throws(() => selfPacedWeights('logarithmic', l, { lambda: 1.2 }), /lambda must be in \(0, 1\).*1\.2/);
  assert.throws(() => selfPacedWeights('mixture', l, { lambda: 1, lambdaLow: 1 }), /lambdaLow must be in \(0, lambda = 1\)/);
  assert.throws(() => selfPacedWeights('hard', l, { lambda: 0 }), /lambda must be a positive number/);
  assert.throws(() => new SelfPacedLearning({ weighting: 'hard', datasetSize: 4, pace: { kind: 'fraction', start: 1.5 } }), /pace.start must be in \(0, 1\]/);
});

test('the fraction pace grows linearly to its end; the quantile admits that fraction', () => {
  const pace = { kind: 'fraction' as const, start: 0.5, end: 0.8 };
  assert.deepEqual([0, 1, 2, 3, 4].map((k) => Number(admittedFraction(pace, k, 4).toFixed(6))), [0.5, 0.6, 0.7, 0.8, 0.8]);
  const losses = Float32Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
  const lambda = lossQuantile(losses, 0.3);
  assert.equal(losses.filter((l) => l < lambda).length, 30);
  assert.equal(losses.filter((l) => l < lossQuantile(losses, 1)).length, 100);
});

test('self-paced learning on noisy labels admits mostly correct labels, and learns', async () => {
  const clean = toyDataset(1024, 3, 1.2);
  const test_ = toyDataset(512, 4, 1.2);
  const noise = labelNoise.symmetric(clean.labels!, 0.4, 4, 5);
  const noisy = new RelabelledDataset(clean, noise.noisyLabels);
  const labelIsCorrect = Uint8Array.from(clean.labels!, (l, i) => (l === noise.noisyLabels[i] ? 1 : 0));
  const spl = new SelfPacedLearning({
    weighting: 'hard', datasetSize: noisy.length, warmupEpochs: 1, labelIsCorrect, pace: { kind: 'fraction', start: 0.4, end: 0.6 },
  });
  const model = toyModel(1);
  const history = await fit(model, new DataLoader(noisy, { batchSize: 32, prefetch: 0, shuffle: true, seed: 2 }), {
    epochs: 6, optimizer: new Adam(model.parameters(), { lr: 0.01 }), callbacks: [spl], verbose: false,
  });
  assert.equal(spl.records.length, 6);
  const [warm, ...weighted] = spl.records;
  assert.ok(Number.isNaN(warm!.lambda) && warm!.admitted === 1, 'the warm-up epoch admits every sample');
  assert.ok(Math.abs(warm!.labelPrecision! - (1 - noise.realisedRate)) < 1e-9, 'the warm-up precision is the share of correct labels');
  for (const r of weighted) {
    assert.ok(r.lambda > 0 && r.admitted > 0.3 && r.admitted < 0.75, `epoch ${r.epoch}: admitted ${r.admitted}`);
    assert.ok(r.labelPrecision! > 0.85, `epoch ${r.epoch}: label precision ${r.labelPrecision} (labels correct overall: ${1 - noise.realisedRate})`);
    assert.equal(r.histogram.reduce((a, b) => a + b, 0), 1024);
  }
  assert.equal(history.epochs.at(-1)!.spl_admitted, weighted.at(-1)!.admitted);
  const acc = (await evaluate(model, toyLoader(test_))).metrics.accuracy!;
  assert.ok(acc > 0.8, `test accuracy ${acc} (chance 0.25)`);
});

test('the logarithmic weighting works in units of lambda, so it admits losses above 1', () => {
  const spl = new SelfPacedLearning({ weighting: 'logarithmic', datasetSize: LOSSES.length, pace: { kind: 'growth', factor: 1, lambda: 2 } });
  spl.onTrainBegin({ epochs: 1, initialEpoch: 0 }, { epochs: 1, model: { parameters: () => [] } } as never);
  try {
    const loss = tidy(() => {
      const state = { epoch: 0, batch: 0, data: { indices: Int32Array.from(LOSSES, (_, i) => i) }, sampleLosses: tensor(LOSSES, { dtype: 'float64' }), skipStep: false };
      spl.afterLoss(state as never);
      return (state as unknown as { loss: { item(): number } }).loss.item();
    });
    // v = log(l/4 + 0.5) / log(0.5) for l < lambda = 2: the formula with lambda 0.5 on l · 0.5 / 2.
    const v = LOSSES.map((l) => FORMULAS.logarithmic(l * 0.25, 0.5, 0));
    const want = LOSSES.reduce((a, l, i) => a + v[i]! * l, 0) / v.reduce((a, b) => a + b, 0);
    assert.ok(v.filter((w) => w > 0).length === LOSSES.filter((l) => l < 2).length && LOSSES.some((l) => l > 1 && l < 2));
    assert.ok(Math.abs(loss - want) < 1e-9, `weighted loss ${loss}, formula ${want}`);
  } finally {
    spl.onTrainEnd();
  }
});
