// visionlab compare RUN...: the summary table of several runs (model, best training
// value of the task's primary metric, time per epoch, validation and test values) as
// Markdown, and as CSV + .md files with --out. The metric comes from each run's task
// (run.json): accuracy for classification; runs of different tasks get one column each.
import { writeFileAtomic } from '../io/atomic-write.js';
import { summarizeRun, comparisonMarkdown, comparisonCsv } from '../experiment/index.js';
import { parseCommandArgs, str, UsageError, type Command } from './args.js';

export { summarizeRun, comparisonMarkdown, comparisonCsv, type RunSummary } from '../experiment/index.js';

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
