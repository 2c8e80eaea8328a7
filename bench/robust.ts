// Robustness benchmark on the real Fashion-MNIST: a standard CNN and the same CNN trained
// with fast adversarial training (FGSM from a random start, ε = 0.1, with the guard
// against catastrophic overfitting) get the same budget (epochs, batch, optimizer and
// schedule); both are then evaluated on the whole test set, clean and under PGD-20 at
// ε = 0.1 (step 0.01, random start). Pixels are in [0, 1] and the models see them as is.
import * as T from '../src/torch/index.js';
import { Adam, OneCycleLR } from '../src/optim/index.js';
import { createModel } from '../src/models/index.js';
import type { Module } from '../src/nn/index.js';
import { DataLoader, Subset, fashionMnist, randomSplit } from '../src/data/index.js';
import { fit, ClassificationTask, type Task, type Callback } from '../src/train/index.js';
import { evaluateRobustness } from '../src/methods/attacks/index.js';
import { AdversarialTrainingTask, CatastrophicOverfittingGuard } from '../src/methods/adversarial-training/index.js';

const EPS = 0.1;
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 8);
const BATCH = 128;
const MAX_LR = 3e-3;
const HELD_OUT = 1000;
/** Test images evaluated (all 10,000 by default; fewer for a quick look). */
const TEST_LIMIT = Number(process.env.BENCH_TEST_LIMIT ?? 10_000);
// The quickstart's CNN (three conv + batch-norm blocks of 16/64/128 filters): more capacity
// than the study's fashion-cnn, which adversarial training needs, at a lower cost per epoch.
const MODEL = process.env.BENCH_MODEL ?? 'fashion-cnn-plus';
const WIDTHS = MODEL === 'fashion-cnn-plus' ? (process.env.BENCH_WIDTHS ?? '16,64,128').split(',').map(Number) : undefined;
const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(0);

const train = await fashionMnist({ split: 'train' });
const test = await fashionMnist({ split: 'test' });
const [trainIdx, heldIdx] = randomSplit(train.length, [train.length - HELD_OUT, HELD_OUT], 0) as [Int32Array, Int32Array];
const TRAIN_LIMIT = Number(process.env.BENCH_TRAIN_LIMIT ?? trainIdx.length);
const trainSet = new Subset(train, trainIdx.subarray(0, TRAIN_LIMIT));
const heldOut = new Subset(train, heldIdx).getBatch(Int32Array.from({ length: 256 }, (_, i) => i));
const heldInputs = T.keep(heldOut.inputs.to('float32').div(255));
const testSet = TEST_LIMIT < test.length ? new Subset(test, Int32Array.from({ length: TEST_LIMIT }, (_, i) => i)) : test;

async function trainModel(label: string, task: Task, callbacks: Callback[]) {
  T.manualSeed(0);
  const model = createModel(MODEL, { numClasses: 10, inChannels: 1, inputSize: 28, ...(WIDTHS ? { widths: WIDTHS } : {}) });
  const loader = new DataLoader(trainSet, { batchSize: BATCH, shuffle: true, seed: 0 });
  const optimizer = new Adam(model.parameters(), { lr: MAX_LR });
  const schedule = new OneCycleLR(optimizer, { maxLr: MAX_LR, epochs: EPOCHS, stepsPerEpoch: loader.length });
  const t0 = performance.now();
  const history = await fit(model, loader, { epochs: EPOCHS, optimizer, schedule, task, callbacks, seed: 0, verbose: false });
  const s = (performance.now() - t0) / 1000;
  console.log(`${label}: ${history.epochs.length} epochs in ${s.toFixed(0)} s, last training accuracy ${history.epochs.at(-1)!.accuracy!.toFixed(4)} (at ${seconds()} s)`);
  return model;
}

async function evaluate(label: string, model: Module) {
  const t0 = performance.now();
  const r = await evaluateRobustness(model, new DataLoader(testSet, { batchSize: 500 }), {
    attack: 'pgd', eps: [EPS], numClasses: 10, attackOptions: { steps: 20, stepSize: 0.01, generator: new T.Generator(0) },
  });
  console.log(`${label}: evaluated ${r.samples} test images in ${((performance.now() - t0) / 1000).toFixed(0)} s (at ${seconds()} s)`);
  return { clean: r.cleanAccuracy, pgd: r.points[0]!.accuracy };
}

console.log(`Fashion-MNIST, ${MODEL}${WIDTHS ? ` (${WIDTHS.join('/')})` : ''}, ${EPOCHS} epochs of ${trainSet.length} images, batch ${BATCH}, Adam one-cycle ${MAX_LR}; ` +
  `${T.getNumThreads()} threads; PGD-20 at ε ${EPS} on ${testSet.length} test images`);
const standard = await trainModel('standard', new ClassificationTask(), []);
const guard = new CatastrophicOverfittingGuard({ inputs: heldInputs, targets: heldOut.targets, eps: EPS, steps: 10, checkEvery: 200 });
const adversarial = await trainModel('adversarial (fast FGSM, random start)', new AdversarialTrainingTask({ method: 'fgsm-rs', eps: EPS, generator: new T.Generator(1) }), [guard]);
console.log(`guard: PGD-10 accuracy of the held-out batch at its checks: ${guard.checks.map((c) => c.accuracy.toFixed(3)).join(' ')}` +
  (guard.stoppedAt >= 0 ? `; stopped at step ${guard.stoppedAt}` : ''));
const s = await evaluate('standard', standard);
const a = await evaluate('adversarial', adversarial);
console.log(`robust standard clean: ${s.clean.toFixed(4)}`);
console.log(`robust standard pgd: ${s.pgd.toFixed(4)}`);
console.log(`robust adversarial clean: ${a.clean.toFixed(4)}`);
console.log(`robust adversarial pgd: ${a.pgd.toFixed(4)}`);
console.log(`total time: ${seconds()} s`);
