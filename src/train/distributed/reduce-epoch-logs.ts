// Epoch logs of a data-parallel run, made the same on every rank before any other
// callback reads them: each rank measured its own shard, and DistributedSampler gives
// every rank the same number of samples, so the mean over ranks of a per-sample mean
// (loss, accuracy) is the mean over the global epoch. Monitors (EarlyStopping,
// ReduceLROnPlateau, ModelCheckpoint) then decide alike on every rank, which keeps the
// ranks' collectives in step. Epoch time is the slowest rank's.
import { tensor } from '../../torch/index.js';
import type { ProcessGroup } from '../../torch/distributed/index.js';
import type { Callback } from '../callback.js';
import type { EpochLogs } from '../history.js';

const NOT_AVERAGED = new Set(['epoch', 'lr', 'time_s']);

export class ReduceEpochLogs implements Callback {
  constructor(readonly group: ProcessGroup) {}

  onEpochEnd(_epoch: number, logs: EpochLogs): void {
    if (this.group.worldSize === 1) return;
    const keys = Object.keys(logs).filter((k) => !NOT_AVERAGED.has(k) && typeof logs[k] === 'number').sort();
    const sums = this.group.allReduce(tensor(keys.map((k) => logs[k] as number), { dtype: 'float64' }));
    const values = sums.toFlatArray();
    sums.dispose();
    keys.forEach((k, i) => { logs[k] = values[i]! / this.group.worldSize; });
    const slowest = this.group.allReduce(tensor([logs.time_s], { dtype: 'float64' }), 'max');
    logs.time_s = slowest.item();
    slowest.dispose();
  }
}
