// Profiles a few training steps with libtorch's profiler and reports the most expensive
// operators (forward, backward and optimizer alike). The first steps are skipped: they
// include one-off work (oneDNN picking kernels, allocator warm-up) that later steps do not.
import { profilerStart, profilerStop, summarizeEvents, type ProfileResult } from '../../torch/index.js';
import type { Callback, CallbackContext } from '../callback.js';

export interface OperatorProfilerOptions {
  /** Steps run before profiling starts (default 3). */
  warmupSteps?: number;
  /** Steps profiled (default 10). */
  steps?: number;
  /** Receives the result (default: prints the table to stdout). */
  onReport?: (profile: ProfileResult, steps: number) => void;
  /** Stop training once the profiled steps are done (default true). */
  stopAfter?: boolean;
}

export class OperatorProfiler implements Callback {
  readonly wantsBatchEvents = true;
  private readonly warmup: number;
  private readonly steps: number;
  private seen = 0;
  private active = false;
  /** The result, once the profiled steps are done. */
  result: ProfileResult | undefined;

  constructor(private readonly opts: OperatorProfilerOptions = {}) {
    this.warmup = opts.warmupSteps ?? 3;
    this.steps = opts.steps ?? 10;
    if (!Number.isInteger(this.warmup) || this.warmup < 0) throw new RangeError(`OperatorProfiler: warmupSteps must be a non-negative integer, got ${this.warmup}`);
    if (!Number.isInteger(this.steps) || this.steps < 1) throw new RangeError(`OperatorProfiler: steps must be a positive integer, got ${this.steps}`);
  }

  onBatchBegin(): void {
    if (this.seen === this.warmup && !this.result) {
      profilerStart(true);
      this.active = true;
    }
  }

  onBatchEnd(_batch: number, _logs: unknown, ctx: CallbackContext): void {
    this.seen++;
    if (this.active && this.seen === this.warmup + this.steps) this.finish(ctx);
  }

  onTrainEnd(_logs: unknown, ctx: CallbackContext): void {
    if (this.active) this.finish(ctx);
  }

  private finish(ctx: CallbackContext): void {
    this.active = false;
    const steps = this.seen - this.warmup;
    this.result = summarizeEvents(profilerStop());
    const report = this.opts.onReport ?? ((p: ProfileResult, n: number) => console.log(`\noperators over ${n} training steps, by self time:\n${p.table(20)}`));
    report(this.result, steps);
    if (this.opts.stopAfter ?? true) ctx.stopTraining = true;
  }
}
