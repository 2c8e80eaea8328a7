// visionlab compare RUN...: the summary table of several runs (model, best training
// value of the task's primary metric, time per epoch, validation and test values) as
// Markdown, and as CSV + .md files with --out. The metric comes from each run's task
// (run.json): accuracy for classification; runs of different tasks get one column each.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { readRunInfo } from '../experiment/index.js';
import { resolveMode } from '../train/index.js';
import { parseCommandArgs, str, UsageError, type Command } from './args.js';

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
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l, i) => {
    try {
      return JSON.parse(l) as EpochRow;
    } catch {
      throw new Error(`${file}: line ${i + 1} is not JSON`);
    }
  });
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

function table(rows: RunSummary[]): string[][] {
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
  const [header, ...body] = table(rows);
  const line = (c: string[]) => `| ${c.join(' | ')} |`;
  return [line(header!), line(header!.map((_, i) => (i < 2 ? '---' : '---:'))), ...body.map(line)].join('\n') + '\n';
}

export function comparisonCsv(rows: RunSummary[]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return table(rows).map((r) => r.map(quote).join(',')).join('\n') + '\n';
}

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare finished runs in one table',
  usage: `visionlab compare RUN... [--out FILE]

Prints a Markdown table with, for each run: model, epochs, the best training value
of its task's metric (accuracy for classification), average time per epoch, and the
metric's final validation value and test value.

  --out FILE   also write FILE as CSV (FILE.csv) and Markdown (FILE.md)`,
  async run(argv) {
    const a = parseCommandArgs('compare', argv, { out: { type: 'string' } });
    if (a.help) return void console.log(this.usage);
    if (a.positionals.length === 0) throw new UsageError('compare: expected at least one RUN directory (see visionlab compare --help)');
    const rows = a.positionals.map(summarizeRun);
    const md = comparisonMarkdown(rows);
    process.stdout.write(md);
    const out = str(a.values.out);
    if (out) {
      const stem = out.replace(/\.(csv|md)$/i, '');
      await writeFileAtomic(`${stem}.csv`, comparisonCsv(rows), { createParentDir: true });
      await writeFileAtomic(`${stem}.md`, md, { createParentDir: true });
      console.log(`\nwrote ${stem}.csv and ${stem}.md`);
    }
  },
};
