// What the noisy-label and self-paced benchmarks share: real Fashion-MNIST through the
// data layer, one backbone and one training budget for every contender, and the figures
// a row of their tables reports (best train accuracy, seconds per epoch, test accuracy).
import { manualSeed } from '../src/torch/index.js';
import { DataLoader, fashionMnist, type Dataset } from '../src/data/index.js';
import { fit, evaluate, ClassificationTask, type Callback, type Task } from '../src/train/index.js';
import { buildTransform, resolveNormalize, buildOptimizer, buildSchedule, createConfiguredModel } from '../src/experiment/index.js';
import type { Module } from '../src/nn/index.js';
import type { Transform } from '../src/data/transforms/index.js';

export const FASHION_ROOT = '/usr/share/datasets/fashion-mnist';

export interface Budget {
  model: string;
  /** Width of the hidden layer of models that have one (mlp). */
  hidden?: number;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
}

export interface FashionData {
  train: Dataset;
  test: Dataset;
  transform: Transform;
}

export async function loadFashion(): Promise<FashionData> {
  const train = await fashionMnist({ root: FASHION_ROOT, split: 'train' });
  const test = await fashionMnist({ root: FASHION_ROOT, split: 'test' });
  const normalize = resolveNormalize({ train: [], test: [], normalize: 'auto' }, train);
  return { train, test, transform: buildTransform([], normalize, 0, 'bench') };
}

export interface ContenderResult {
  name: string;
  bestTrainAccuracy: number;
  secondsPerEpoch: number;
  testAccuracy: number;
}

export function newModel(budget: Budget): Module {
  manualSeed(budget.seed);
  return createConfiguredModel({ name: budget.model, ...(budget.hidden ? { hidden: budget.hidden } : {}) }, { numClasses: 10, inputShape: [1, 28, 28] });
}

export function trainLoader(ds: Dataset, data: FashionData, budget: Budget): DataLoader {
  return new DataLoader(ds, { batchSize: budget.batchSize, shuffle: true, seed: budget.seed, transform: data.transform });
}

export function testLoader(data: FashionData): DataLoader {
  return new DataLoader(data.test, { batchSize: 512, transform: data.transform });
}

/** Adam with a one-cycle schedule over the budget's epochs: the same for every contender. */
export async function trainContender(name: string, model: Module, train: DataLoader, data: FashionData, budget: Budget,
  extra: { task?: Task; callbacks?: Callback[]; trainModel?: Module } = {}): Promise<ContenderResult> {
  // A method may train a module around the model (two networks, a label cleaner); the model is tested.
  const trained = extra.trainModel ?? model;
  const optimizer = buildOptimizer({ name: 'adam', lr: budget.lr }, trained.trainableParameters());
  const schedule = buildSchedule({ name: 'one-cycle', maxLr: budget.lr }, optimizer, { epochs: budget.epochs, stepsPerEpoch: train.length, lr: budget.lr });
  const history = await fit(trained, train, {
    epochs: budget.epochs, optimizer, seed: budget.seed, verbose: false,
    ...(schedule ? { schedule } : {}), ...(extra.task ? { task: extra.task } : {}), callbacks: extra.callbacks ?? [],
  });
  const test = await evaluate(model, testLoader(data), { task: new ClassificationTask() });
  const epochs = history.epochs;
  const result: ContenderResult = {
    name,
    bestTrainAccuracy: Math.max(...epochs.map((e) => e.accuracy ?? NaN)),
    secondsPerEpoch: epochs.reduce((t, e) => t + e.time_s, 0) / epochs.length,
    testAccuracy: test.metrics.accuracy!,
  };
  // What a method logged beside the loss and accuracy (admitted shares, label agreement), at the last epoch.
  const last = epochs.at(-1) ?? {};
  const records = Object.entries(last).filter(([k, v]) => !['epoch', 'loss', 'accuracy', 'lr', 'time_s'].includes(k) && typeof v === 'number');
  console.error(`  ${name}: test ${result.testAccuracy.toFixed(4)}, ${result.secondsPerEpoch.toFixed(1)} s/epoch` +
    (records.length ? `; last epoch ${records.map(([k, v]) => `${k} ${(v as number).toFixed(4)}`).join(', ')}` : ''));
  return result;
}

export function printTable(rows: ContenderResult[]): void {
  const w = Math.max(5, ...rows.map((r) => r.name.length));
  console.log(`${'model'.padEnd(w)}  best train acc  s/epoch  test acc`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(w)}  ${r.bestTrainAccuracy.toFixed(4).padStart(14)}  ${r.secondsPerEpoch.toFixed(1).padStart(7)}  ${r.testAccuracy.toFixed(4).padStart(8)}`);
  }
}
