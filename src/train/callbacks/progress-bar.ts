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

/** `epoch 3/10 - loss 0.4321 - accuracy 0.8812 - val_loss 0.5012 - val_accuracy 0.8400 - 12.3s` */
export function formatEpochLine(epoch: number, epochs: number, logs: EpochLogs): string {
  const parts = [`epoch ${epoch + 1}/${epochs}`, `loss ${fmt(logs.loss)}`];
  if (Number.isFinite(logs.accuracy)) parts.push(`accuracy ${fmt(logs.accuracy)}`);
  if (logs.val_loss !== undefined) parts.push(`val_loss ${fmt(logs.val_loss)}`);
  if (logs.val_accuracy !== undefined && Number.isFinite(logs.val_accuracy)) parts.push(`val_accuracy ${fmt(logs.val_accuracy)}`);
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
  private lossSum = 0;
  private accSum = 0;
  private samples = 0;

  constructor(private readonly opts: ProgressBarOptions = {}) {
    this.stream = opts.stream ?? process.stdout;
    this.wantsBatchEvents = opts.live ?? this.stream.isTTY === true;
  }

  onEpochBegin(_epoch: number, _logs: unknown, ctx: CallbackContext): void {
    this.epochs = ctx.epochs;
    this.total = this.opts.total ?? ctx.stepsPerEpoch;
    this.epochStart = performance.now();
    this.lastDraw = 0;
    this.lossSum = this.accSum = this.samples = 0;
  }

  onBatchEnd(batch: number, logs: BatchLogs, ctx: CallbackContext): void {
    const now = performance.now();
    const last = batch + 1 >= this.total;
    // Redrawing (and reading the loss back) ten times a second is plenty for a person.
    if (!last && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.lossSum += logs.loss * logs.size;
    this.accSum += logs.accuracy * logs.size;
    this.samples += logs.size;
    const done = batch + 1;
    const elapsed = (now - this.epochStart) / 1000;
    const eta = (elapsed / done) * Math.max(0, this.total - done);
    const width = 24;
    const filled = Math.round((done / Math.max(1, this.total)) * width);
    const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? '>' : '') + '.'.repeat(width - filled);
    const acc = this.accSum / this.samples;
    const text = `epoch ${ctx.history.length + 1}/${this.epochs} [${bar}] ${done}/${this.total} ETA ${duration(eta)} - loss ${fmt(this.lossSum / this.samples)}` +
      (Number.isFinite(acc) ? ` - accuracy ${fmt(acc)}` : '');
    this.stream.write(`\r${text.slice(0, (this.stream.columns ?? 120) - 1)}\x1b[K`);
  }

  onEpochEnd(epoch: number, logs: EpochLogs, ctx: CallbackContext): void {
    const line = formatEpochLine(epoch, ctx.epochs, logs);
    this.stream.write(this.wantsBatchEvents ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
}
