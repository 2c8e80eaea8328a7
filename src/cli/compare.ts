// visionlab compare RUN...: the summary table of several runs (model, best training
// accuracy, time per epoch, validation and test accuracy) as Markdown, and as CSV + .md
// files with --out.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { readRunInfo } from '../experiment/index.js';
import { parseCommandArgs, str, UsageError, type Command } from './args.js';

export interface RunSummary {
  run: string;
  model: string;
  epochs: number;
  bestTrainAccuracy: number;
  secondsPerEpoch: number;
  valAccuracy: number | undefined;
  testAccuracy: number;
}

interface EpochRow { accuracy?: number; val_accuracy?: number; time_s?: number }

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
  const acc = finite(epochs.map((e) => e.accuracy));
  const times = finite(epochs.map((e) => e.time_s));
  const val = finite(epochs.map((e) => e.val_accuracy));
  return {
    run: path.basename(path.resolve(dir)),
    model: info.model,
    epochs: epochs.length,
    bestTrainAccuracy: acc.length ? Math.max(...acc) : NaN,
    secondsPerEpoch: times.length ? times.reduce((a, b) => a + b, 0) / times.length : NaN,
    valAccuracy: val.length ? val[val.length - 1] : undefined,
    testAccuracy: info.test.accuracy,
  };
}

const HEADER = ['run', 'model', 'epochs', 'best train accuracy', 'avg time per epoch (s)', 'validation accuracy', 'test accuracy'];

function cells(s: RunSummary): string[] {
  const f = (x: number | undefined, d: number) => (x === undefined || Number.isNaN(x) ? '' : x.toFixed(d));
  return [s.run, s.model, String(s.epochs), f(s.bestTrainAccuracy, 4), f(s.secondsPerEpoch, 1), f(s.valAccuracy, 4), f(s.testAccuracy, 4)];
}

export function comparisonMarkdown(rows: RunSummary[]): string {
  const line = (c: string[]) => `| ${c.join(' | ')} |`;
  return [line(HEADER), line(HEADER.map((_, i) => (i < 2 ? '---' : '---:'))), ...rows.map((r) => line(cells(r)))].join('\n') + '\n';
}

export function comparisonCsv(rows: RunSummary[]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [HEADER, ...rows.map(cells)].map((r) => r.map(quote).join(',')).join('\n') + '\n';
}

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare finished runs in one table',
  usage: `visionlab compare RUN... [--out FILE]

Prints a Markdown table with, for each run: model, epochs, best training accuracy,
average time per epoch, final validation accuracy and test accuracy.

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
