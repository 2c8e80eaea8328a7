// A wall-clock training budget for the benchmarks whose targets are stated "within N
// minutes on this machine": the learning rate of each parameter group warms up from a
// tenth of its starting value, then follows a cosine to zero over the budget's seconds
// (not over epochs), so the schedule completes however fast the machine is and no time is
// lost to a last epoch that would not fit. Training stops after the batch during which
// the budget runs out; fit still validates that last, partial epoch. In a data-parallel
// run every rank uses rank 0's clock (broadcast before each batch), so all ranks set the
// same learning rate and stop after the same batch, keeping their collectives in step.
import { tensor } from '../src/torch/index.js';
import type { ProcessGroup } from '../src/torch/distributed/index.js';
import { StopTraining, type Callback, type CallbackContext } from '../src/train/index.js';

export class WallClockBudget implements Callback {
  readonly wantsBatchEvents = true;
  /** Optimizer steps taken. */
  steps = 0;
  private started = 0;
  private peaks: number[] = [];
  /** Rank 0's elapsed seconds at the beginning of the current batch. */
  private batchBegan = 0;

  constructor(readonly seconds: number, readonly warmup = 0.05, readonly group?: ProcessGroup) {
    if (!(seconds > 0)) throw new RangeError(`WallClockBudget: seconds must be positive, got ${seconds}`);
  }

  /** Seconds since training began. */
  get elapsed(): number {
    return (performance.now() - this.started) / 1000;
  }

  onTrainBegin(_logs: unknown, ctx: CallbackContext): void {
    this.started = performance.now();
    this.peaks = ctx.optimizer.paramGroups.map((g) => g.lr as number);
  }

  private sharedElapsed(): number {
    if (!this.group || this.group.worldSize === 1) return this.elapsed;
    const t = this.group.broadcast(tensor([this.group.rank === 0 ? this.elapsed : 0], { dtype: 'float64' }), 0);
    const v = t.item();
    t.dispose();
    return v;
  }

  onBatchBegin(_batch: number, _logs: unknown, ctx: CallbackContext): void {
    this.batchBegan = this.sharedElapsed();
    const t = Math.min(1, this.batchBegan / this.seconds);
    const f = t < this.warmup ? 0.1 + 0.9 * t / this.warmup : 0.5 * (1 + Math.cos(Math.PI * (t - this.warmup) / (1 - this.warmup)));
    ctx.optimizer.paramGroups.forEach((g, i) => { g.lr = this.peaks[i]! * f; });
  }

  onBatchEnd(): void {
    this.steps++;
    if (this.batchBegan >= this.seconds) throw new StopTraining(`time budget of ${this.seconds.toFixed(0)} s spent`);
  }
}
