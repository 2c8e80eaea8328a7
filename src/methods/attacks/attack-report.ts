// The report of a robustness evaluation, written into its own folder: the numbers as
// JSON, the robustness curve, the per-class robust accuracy at the largest budget, a grid
// of clean, adversarial and amplified-perturbation images, and report.html showing them.
import path from 'node:path';
import { type Tensor, tidy, Generator } from '../../torch/index.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { robustnessCurvePng, perClassAccuracyPng, writeReport, type ReportFigure } from '../../train/index.js';
import type { RobustnessResult } from './robustness.js';
import type { Victim } from './victim.js';
import type { AttackFunction, NamedAttackOptions } from './registry.js';
import { writeAdversarialGrid } from './adversarial-grid.js';

export interface AttackReportInputs {
  result: RobustnessResult;
  classNames: readonly string[];
  /** Some clean test images [N, C, H, W] in [0, 1] and their labels for the grid (8 or so). */
  sample?: { images: Tensor; labels: Tensor };
  victim: Victim;
  attack: AttackFunction;
  attackOptions?: Omit<NamedAttackOptions, 'eps'>;
  /** The budget the grid is drawn at (default the largest). */
  gridEps?: number;
  title?: string;
  /** Anything else worth recording (the run, the command line). */
  details?: Record<string, unknown>;
}

export const ROBUSTNESS_JSON = 'robustness.json';

export async function writeAttackReport(dir: string, inputs: AttackReportInputs): Promise<string> {
  const { result, classNames } = inputs;
  const eps = result.points.map((p) => p.eps);
  const figures: ReportFigure[] = [];
  const write = async (name: string, file: string, bytes: Buffer | Promise<Buffer>) => {
    await writeFileAtomic(path.join(dir, file), await bytes, { createParentDir: true });
    figures.push({ name, file });
  };
  await writeFileAtomic(path.join(dir, ROBUSTNESS_JSON), JSON.stringify({ ...inputs.details, ...result, classNames }, null, 2) + '\n', { createParentDir: true });
  await write(`Accuracy under ${result.attack} against ε`, 'robustness-curve.png', robustnessCurvePng(eps, result.points.map((p) => p.accuracy), { title: `Robustness to ${result.attack}` }));
  const last = result.points[result.points.length - 1]!;
  await write(`Robust accuracy per class at ε = ${last.eps}`, 'per-class-robust-accuracy.png',
    perClassAccuracyPng(last.perClassAccuracy, classNames, { title: `Accuracy per class under ${result.attack}, ε = ${last.eps}` }));
  if (inputs.sample) {
    const gridEps = inputs.gridEps ?? Math.max(...eps);
    const { images, labels } = inputs.sample;
    const adv = tidy(() => (gridEps > 0 ? inputs.attack(inputs.victim, images, labels, { ...inputs.attackOptions, eps: gridEps, generator: new Generator(0) }) : images.clone()));
    try {
      await writeAdversarialGrid(path.join(dir, 'adversarial-grid.png'), inputs.victim, images, adv, labels, classNames);
      figures.push({ name: `Clean (top), adversarial at ε = ${gridEps} (middle) and the perturbation amplified (bottom)`, file: 'adversarial-grid.png' });
    } finally {
      adv.dispose();
    }
  }
  const metrics: Record<string, number | string> = { attack: result.attack, samples: result.samples, cleanAccuracy: result.cleanAccuracy };
  for (const p of result.points) {
    metrics[`accuracy at ε=${p.eps}`] = p.accuracy;
    metrics[`success rate at ε=${p.eps}`] = p.successRate;
    metrics[`mean L2 / L∞ perturbation at ε=${p.eps}`] = `${p.meanL2.toFixed(4)} / ${p.meanLinf.toFixed(4)}`;
  }
  return writeReport(dir, { title: inputs.title ?? `Robustness to ${result.attack}`, metrics, figures, ...(inputs.details ? { config: inputs.details } : {}) });
}
