// One line per epoch in JSON Lines and/or CSV, appended as each epoch ends so a crashed
// or running job's progress is on disk (and readable by a dashboard) at all times. A
// resumed run first rewrites both files from the checkpoint's history: a run killed after
// logging an epoch but before checkpointing it would otherwise log that epoch twice.
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../../io/atomic-write.js';
import type { Callback, TrainLogs } from '../callback.js';
import type { EpochLogs } from '../history.js';

export interface MetricsLoggerOptions { jsonl?: string; csv?: string }

const STANDARD_COLUMNS = ['epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr', 'time_s'];

function csvCell(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? '' : String(v);
}

export class MetricsLogger implements Callback {
  private columns: string[] | undefined;

  constructor(readonly opts: MetricsLoggerOptions) {
    if (!opts || (!opts.jsonl && !opts.csv)) throw new TypeError('MetricsLogger: give a jsonl and/or csv path');
  }

  onTrainBegin(logs: TrainLogs): void {
    const done = logs.history?.epochs ?? [];
    if (done.length === 0) return;
    for (const file of [this.opts.jsonl, this.opts.csv]) {
      if (file) writeFileAtomicSync(file, '', { createParentDir: true });
    }
    this.columns = undefined;
    for (const e of done) this.onEpochEnd(e.epoch, e);
  }

  onEpochEnd(_epoch: number, logs: EpochLogs): void {
    if (this.opts.jsonl) {
      mkdirSync(path.dirname(this.opts.jsonl), { recursive: true });
      // appendFileSync opens, writes and closes: each line is on disk when the epoch ends.
      appendFileSync(this.opts.jsonl, `${JSON.stringify(logs, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`);
    }
    if (this.opts.csv) this.appendCsv(this.opts.csv, logs);
  }

  private appendCsv(file: string, logs: EpochLogs): void {
    mkdirSync(path.dirname(file), { recursive: true });
    const fresh = !existsSync(file) || statSync(file).size === 0;
    if (!this.columns) {
      // An existing file (a resumed run) keeps its header; a new one gets the standard
      // columns followed by whatever else the first epoch recorded.
      this.columns = fresh
        ? [...STANDARD_COLUMNS, ...Object.keys(logs).filter((k) => !STANDARD_COLUMNS.includes(k))]
        : readFileSync(file, 'utf8').split('\n', 1)[0]!.split(',');
    }
    const row = this.columns.map((c) => csvCell(logs[c])).join(',');
    appendFileSync(file, fresh ? `${this.columns.join(',')}\n${row}\n` : `${row}\n`);
  }
}
