// What an experiment leaves in its run directory beyond the Trainer's files: the final
// weights and run.json (class names, image shape, test scores), which eval and predict
// read to rebuild the model and its test pipeline without the original data.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';

export const RUN_INFO_FILE = 'run.json';
export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';

export interface RunInfo {
  name: string;
  model: string;
  classNames: string[];
  /** [channels, height, width] of the dataset's images, before the test transforms. */
  imageShape: [number, number, number];
  weights: string;
  /** What the model was trained for; `compare` and the dashboard read the metric names from here. */
  task?: { name: string; metrics: string[]; primaryMetric: string };
  /** Test loss and the task's metrics by name (accuracy for classification). */
  test: { loss: number; samples: number; accuracy?: number; [metric: string]: number | undefined };
  trainSamples: number;
  valSamples: number;
  labelNoise?: { realisedRate: number };
  /** Trainable parameters of the model. */
  parameters?: number;
  /** [channels, height, width] of an autoencoder's latent map. */
  latentShape?: number[];
  startedAt: string;
  trainingSeconds: number;
  /** The precision asked for in the config, the one used and why ('auto' decides by the hardware). */
  precision?: { requested: string; chosen: string; reason: string };
  /** The memory format the model trained in, and why. */
  memoryFormat?: { chosen: string; reason: string };
}

export async function writeRunInfo(runDir: string, info: RunInfo): Promise<void> {
  await writeFileAtomic(path.join(runDir, RUN_INFO_FILE), JSON.stringify(info, null, 2) + '\n', { createParentDir: true });
}

function readJson(file: string, what: string): unknown {
  if (!existsSync(file)) throw new Error(`${path.dirname(file)} is not an experiment run directory: ${path.basename(file)} is missing (${what})`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

export function readRunInfo(runDir: string): RunInfo {
  return readJson(path.join(runDir, RUN_INFO_FILE), 'written when an experiment finishes') as RunInfo;
}

export function readRunConfig(runDir: string): unknown {
  return readJson(path.join(runDir, CONFIG_FILE), 'the resolved experiment config');
}
