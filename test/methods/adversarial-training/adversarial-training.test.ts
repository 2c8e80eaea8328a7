// Adversarial training through fit() on the toy quadrant problem, with a loader that
// standardises its inputs (so the task must attack the pixels behind them): each method
// learns the task and ends more robust to PGD than standard training with the same
// budget. The guard stops training and restores the best weights when PGD accuracy
// collapses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, setNumThreads, manualSeed, keep, tidy, noGrad, type Tensor } from '../../../src/torch/index.js';
import { TensorDataset, DataLoader, Normalize } from '../../../src/data/index.js';
import { Adam } from '../../../src/optim/index.js';
import { fit, ClassificationTask, type Task, type CallbackContext } from '../../../src/train/index.js';
import { pgd, Victim } from '../../../src/methods/attacks/index.js';
import { AdversarialTrainingTask, CatastrophicOverfittingGuard, type AdversarialMethod } from '../../../src/methods/adversarial-training/index.js';
import { quadrantImages, toyModel, CLASSES } from '../toy-classifier.js';

setNumThreads(1);
const normalization = { mean: [0.25], std: [0.3] };
const EPS = 0.22;
const train = quadrantImages(512, 21);
const test_ = quadrantImages(128, 22);
for (const t of [train.x, train.y, test_.x, test_.y]) keep(t);
const names = Array.from({ length: CLASSES }, (_, i) => `q${i}`);

async function trained(task: Task) {
  manualSeed(5);
  const model = toyModel('mlp');
  const loader = new DataLoader(new TensorDataset(train.x, train.y, names), {
    batchSize: 64, shuffle: true, seed: 1, transform: new Normalize(normalization.mean, normalization.std),
  });
  await fit(model, loader, { epochs: 15, optimizer: new Adam(model.parameters(), { lr: 0.01 }), task, verbose: false });
  return model.eval();
}

function accuracies(model: ReturnType<typeof toyModel>): { clean: number; robust: number } {
  return tidy(() => {
    const v = new Victim(model, normalization);
    const acc = (x: Tensor) => noGrad(() => v.logits(x).argmax(1).eq(test_.y).to('float32').mean().item());
    return { clean: acc(test_.x), robust: acc(pgd(v, test_.x, test_.y, { eps: EPS, steps: 10, generator: new Generator(0) })) };
  });
}

test('fast FGSM, PGD and TRADES training each learn the task and resist PGD better than standard training', async () => {
  const standard = accuracies(await trained(new ClassificationTask()));
  assert.ok(standard.clean > 0.9, `standard clean accuracy ${standard.clean}`);
  for (const method of ['fgsm-rs', 'pgd', 'trades'] as AdversarialMethod[]) {
    const task = new AdversarialTrainingTask({ method, eps: EPS, steps: 5, normalization, generator: new Generator(2) });
    const r = accuracies(await trained(task));
    assert.ok(r.clean > 0.6, `${method}: clean accuracy ${r.clean}`);
    assert.ok(r.robust >= standard.robust + 0.1, `${method}: PGD accuracy ${r.robust} vs ${standard.robust} for standard training`);
  }
});

test('bad adversarial options are refused by name', () => {
  assert.throws(() => new AdversarialTrainingTask({ method: 'fgsm' as AdversarialMethod, eps: 0.1 }), /method must be one of fgsm-rs, pgd, trades/);
  assert.throws(() => new AdversarialTrainingTask({ method: 'pgd', eps: 0 }), /eps must be in \(0, 1\]/);
  assert.throws(() => new AdversarialTrainingTask({ method: 'pgd', eps: 0.1, steps: 0 }), /steps must be a positive integer/);
});

test('the guard stops training and restores the best weights when PGD accuracy collapses', async () => {
  const model = await trained(new AdversarialTrainingTask({ method: 'fgsm-rs', eps: EPS, normalization, generator: new Generator(3) }));
  const inputs = tidy(() => new Victim(model, normalization).modelInput(test_.x));
  const guard = new CatastrophicOverfittingGuard({ inputs, targets: test_.y, eps: EPS, normalization, verbose: false });
  const ctx = { model, stopTraining: false, globalStep: 10 } as unknown as CallbackContext;
  guard.onEpochEnd(0, {}, ctx);
  const best = guard.best;
  assert.ok(best > 0.3 && !ctx.stopTraining, `first check ${best}`);
  const before = tidy(() => model.parameters().map((p) => p.clone()).map((t) => keep(t)));
  // A collapse: the classifier's weights scrambled.
  noGrad(() => { for (const p of model.parameters()) p.mul_(-1); });
  ctx.globalStep = 20;
  guard.onEpochEnd(1, {}, ctx);
  assert.equal(ctx.stopTraining, true);
  assert.equal(guard.stoppedAt, 20);
  model.parameters().forEach((p, i) => assert.equal(tidy(() => p.sub(before[i]!).abs().max().item()), 0, 'best weights restored'));
  guard.dispose();
  inputs.dispose();
});
