// Progress on the terminal: a live bar with ETA and running loss/accuracy when stdout is
// a terminal, one plain line per epoch otherwise (logs, CI, pipes).
import type { Callback, CallbackContext, BatchLogs } from '../callback.js';
import type { EpochLogs } from '../history.js';

export interface ProgressBarOptions {
  /** Batches per epoch (default: the training loader's length). */
  total?: number;
  /** Where to write (default process.stdout). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Force the live bar on or off (default: stream.isTTY). */
  live?: boolean;
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : String(v));

/**
 * `epoch 3/10 - loss 0.4321 - accuracy 0.8812 - val_loss 0.5012 - val_accuracy 0.8400 - 12.3s`:
 * the loss and the task's metrics, training then validation, those with finite values.
 */
export function formatEpochLine(epoch: number, epochs: number, logs: EpochLogs, metricNames: readonly string[] = ['accuracy']): string {
  const parts = [`epoch ${epoch + 1}/${epochs}`];
  for (const prefix of ['', 'val_']) {
    for (const name of ['loss', ...metricNames]) {
      const v = logs[prefix + name];
      if (v !== undefined && Number.isFinite(v)) parts.push(`${prefix}${name} ${fmt(v)}`);
    }
  }
  parts.push(`${logs.time_s.toFixed(1)}s`);
  return parts.join(' - ');
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

export class ProgressBar implements Callback {
  readonly wantsBatchEvents: boolean;
  private readonly stream: NonNullable<ProgressBarOptions['stream']>;
  private epochStart = 0;
  private lastDraw = 0;
  private epochs = 0;
  private total = 0;

  constructor(private readonly opts: ProgressBarOptions = {}) {
    this.stream = opts.stream ?? process.stdout;
    this.wantsBatchEvents = opts.live ?? this.stream.isTTY === true;
  }

  onEpochBegin(_epoch: number, _logs: unknown, ctx: CallbackContext): void {
    this.epochs = ctx.epochs;
    this.total = this.opts.total ?? ctx.stepsPerEpoch;
    this.epochStart = performance.now();
    this.lastDraw = 0;
  }

  onBatchEnd(batch: number, logs: BatchLogs, ctx: CallbackContext): void {
    const now = performance.now();
    const last = batch + 1 >= this.total;
    // Redrawing (and reading the loss back) ten times a second is plenty for a person.
    if (!last && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const running = logs.running();
    const done = batch + 1;
    const elapsed = (now - this.epochStart) / 1000;
    const eta = (elapsed / done) * Math.max(0, this.total - done);
    const width = 24;
    const filled = Math.round((done / Math.max(1, this.total)) * width);
    const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? '>' : '') + '.'.repeat(width - filled);
    const values = ['loss', ...ctx.task.metricNames].filter((k) => Number.isFinite(running[k])).map((k) => ` - ${k} ${fmt(running[k]!)}`);
    const text = `epoch ${ctx.history.length + 1}/${this.epochs} [${bar}] ${done}/${this.total} ETA ${duration(eta)}${values.join('')}`;
    this.stream.write(`\r${text.slice(0, (this.stream.columns ?? 120) - 1)}\x1b[K`);
  }

  onEpochEnd(epoch: number, logs: EpochLogs, ctx: CallbackContext): void {
    const line = formatEpochLine(epoch, ctx.epochs, logs, ctx.task.metricNames);
    this.stream.write(this.wantsBatchEvents ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
}
