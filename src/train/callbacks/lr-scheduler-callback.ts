// Steps a learning-rate schedule from the callback list, for loops that manage
// schedules as callbacks (fit() also accepts one directly through its `schedule` option).
import { ReduceLROnPlateau, type LRSchedule } from '../../optim/index.js';
import type { Callback } from '../callback.js';
import type { EpochLogs } from '../history.js';

export class LRSchedulerCallback implements Callback {
  readonly wantsBatchEvents: boolean;

  /** `monitor` is what ReduceLROnPlateau watches (default 'val_loss'). */
  constructor(readonly schedule: LRSchedule, readonly monitor = 'val_loss') {
    this.wantsBatchEvents = !(schedule instanceof ReduceLROnPlateau) && schedule.interval === 'batch';
  }

  onBatchEnd(): void {
    if (this.wantsBatchEvents) this.schedule.step();
  }

  onEpochEnd(_epoch: number, logs: EpochLogs): void {
    if (this.schedule instanceof ReduceLROnPlateau) {
      const v = logs[this.monitor];
      if (v === undefined) throw new Error(`LRSchedulerCallback: ReduceLROnPlateau watches '${this.monitor}', which the epoch logs do not hold`);
      this.schedule.step(v);
    } else if (this.schedule.interval === 'epoch') {
      this.schedule.step();
    }
  }
}
