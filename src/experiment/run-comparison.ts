// The comparison of finished runs that `visionlab compare` prints and the dashboard shows:
// per run, the model, the best training value of its task's primary metric, time per
// epoch, and the metric's final validation and test values. The metric comes from each
// run's task (run.json): accuracy for classification; runs of different tasks get one
// column each.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { resolveMode, readHistoryJsonl } from '../train/index.js';
import { readRunInfo } from './run-files.js';

export interface RunSummary {
  run: string;
  model: string;
  /** The task's primary metric ('accuracy' for classification). */
  metric: string;
  epochs: number;
  bestTrain: number;
  secondsPerEpoch: number;
  /** The metric on the validation data after the last epoch. */
  val: number | undefined;
  test: number;
  /** Reconstruction runs: trainable parameters, latent map size, test SSIM and the noisy input's test PSNR. */
  reconstruction?: { parameters: number | undefined; latent: string; ssim: number; inputPsnr: number };
}

type EpochRow = Record<string, number | undefined>;

function readEpochs(dir: string): EpochRow[] {
  const file = path.join(dir, 'metrics.jsonl');
  if (!existsSync(file)) throw new Error(`${dir}: metrics.jsonl is missing (not a finished run?)`);
  // A torn last line (a run killed mid-write, or one still writing) is skipped.
  return readHistoryJsonl(file).epochs as EpochRow[];
}

export function summarizeRun(dir: string): RunSummary {
  const info = readRunInfo(dir);
  const epochs = readEpochs(dir);
  const finite = (xs: (number | undefined)[]) => xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  // Runs written before run.json named its task were classification runs.
  const metric = info.task?.primaryMetric ?? 'accuracy';
  const best = finite(epochs.map((e) => e[metric]));
  const times = finite(epochs.map((e) => e.time_s));
  const val = finite(epochs.map((e) => e[`val_${metric}`]));
  const lowerIsBetter = resolveMode(metric) === 'min';
  return {
    run: path.basename(path.resolve(dir)),
    model: info.model,
    metric,
    epochs: epochs.length,
    bestTrain: best.length ? (lowerIsBetter ? Math.min(...best) : Math.max(...best)) : NaN,
    secondsPerEpoch: times.length ? times.reduce((a, b) => a + b, 0) / times.length : NaN,
    val: val.length ? val[val.length - 1] : undefined,
    test: info.test[metric] ?? NaN,
    ...(info.task?.name === 'reconstruction' ? {
      reconstruction: {
        parameters: info.parameters, latent: info.latentShape ? info.latentShape.join('×') : '',
        ssim: info.test.ssim ?? NaN, inputPsnr: info.test.input_psnr ?? NaN,
      },
    } : {}),
  };
}

/** The comparison as rows of cells, the header first. */
export function comparisonTable(rows: RunSummary[]): string[][] {
  const metrics = [...new Set(rows.map((r) => r.metric))];
  const header = ['run', 'model', 'epochs', ...metrics.flatMap((m) => [`best train ${m}`]), 'avg time per epoch (s)',
    ...metrics.flatMap((m) => [`validation ${m}`, `test ${m}`])];
  const f = (x: number | undefined, d: number) => (x === undefined || Number.isNaN(x) ? '' : x.toFixed(d));
  const body = rows.map((s) => [
    s.run, s.model, String(s.epochs), ...metrics.map((m) => (m === s.metric ? f(s.bestTrain, 4) : '')), f(s.secondsPerEpoch, 1),
    ...metrics.flatMap((m) => (m === s.metric ? [f(s.val, 4), f(s.test, 4)] : ['', ''])),
  ]);
  // The denoising study's columns: latent size, parameters, test SSIM and the noisy input's PSNR.
  if (rows.some((r) => r.reconstruction)) {
    header.push('latent', 'parameters', 'test ssim', 'test input psnr');
    rows.forEach((s, i) => {
      const r = s.reconstruction;
      body[i]!.push(r?.latent ?? '', r?.parameters === undefined ? '' : String(r.parameters), f(r?.ssim, 4), f(r?.inputPsnr, 2));
    });
  }
  return [header, ...body];
}

export function comparisonMarkdown(rows: RunSummary[]): string {
  const [header, ...body] = comparisonTable(rows);
  const line = (c: string[]) => `| ${c.join(' | ')} |`;
  return [line(header!), line(header!.map((_, i) => (i < 2 ? '---' : '---:'))), ...body.map(line)].join('\n') + '\n';
}

export function comparisonCsv(rows: RunSummary[]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return comparisonTable(rows).map((r) => r.map(quote).join(',')).join('\n') + '\n';
}
