// Reopens a finished experiment: its config, the model with its final weights, the test
// transform chain and the test data (from the run's own config or another one).
import path from 'node:path';
import { loadSafetensors } from '../torch/index.js';
import type { Module } from '../nn/index.js';
import { type Transform, DataLoader } from '../data/index.js';
import { ClassificationTask, withTestTimeAugmentation, type Task } from '../train/index.js';
import { validateConfig, type ExperimentConfig, type NormalizeStats } from './config.js';
import { createConfiguredModel } from './build-model.js';
import { buildTransform, transformedShape } from './build-transforms.js';
import { loadExperimentData, type ExperimentData } from './experiment-data.js';
import { readRunInfo, readRunConfig, type RunInfo } from './run-files.js';

export interface OpenedRun {
  dir: string;
  config: ExperimentConfig;
  info: RunInfo;
  model: Module;
  /** ToFloat, the configured test transforms and the run's normalisation. */
  testTransform: Transform;
  /** [channels, height, width] the model receives. */
  inputShape: [number, number, number];
}

function normalizeOf(cfg: ExperimentConfig): NormalizeStats | null {
  return typeof cfg.transforms.normalize === 'object' ? cfg.transforms.normalize : null;
}

export async function openRun(dir: string): Promise<OpenedRun> {
  const info = readRunInfo(dir);
  const config = validateConfig(readRunConfig(dir), `${path.join(dir, 'config.json')}`);
  const testTransform = buildTransform(config.transforms.test, normalizeOf(config), config.seed, 'config.transforms.test');
  const inputShape = transformedShape(testTransform, info.imageShape);
  const model = createConfiguredModel(config.model, { numClasses: info.classNames.length, inputShape });
  const weights = await loadSafetensors(path.join(dir, info.weights));
  model.loadStateDict(weights);
  for (const t of weights.values()) t.dispose();
  model.eval();
  return { dir, config, info, model, testTransform, inputShape };
}

/** How a classification run scores images: with its config's test-time augmentation, if any. */
export function runClassificationTask(run: OpenedRun): Task {
  return withTestTimeAugmentation(new ClassificationTask(), run.config.tta);
}

/** The test split a run is evaluated on: its own config's, or another config's data (same classes). */
export async function runTestLoader(run: OpenedRun, dataConfig?: ExperimentConfig, baseDir?: string): Promise<{ loader: DataLoader; data: ExperimentData }> {
  const cfg = dataConfig ?? run.config;
  const data = await loadExperimentData(cfg, baseDir ?? process.cwd());
  if (data.classNames.join('\n') !== run.info.classNames.join('\n')) {
    throw new Error(`the data has classes ${data.classNames.join(', ')} but the run was trained on ${run.info.classNames.join(', ')}`);
  }
  const loader = new DataLoader(data.test, { batchSize: Math.max(run.config.batchSize, 256), transform: run.testTransform, device: run.config.device });
  return { loader, data };
}
