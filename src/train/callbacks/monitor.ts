// Reading a monitored value from epoch logs, with an error that lists what exists.
import type { EpochLogs } from '../history.js';

export function monitoredValue(who: string, monitor: string, logs: EpochLogs): number | undefined {
  const v = logs[monitor];
  if (v === undefined) {
    const have = Object.keys(logs).filter((k) => typeof logs[k] === 'number').join(', ');
    process.emitWarning(`${who}: '${monitor}' is not in the epoch logs (have: ${have}); nothing to compare this epoch`);
    return undefined;
  }
  return v;
}
