// Batch logs whose loss and accuracy are read back from the device only if a callback
// reads them: an unread value costs no synchronisation.
import type { Tensor } from '../torch/index.js';
import type { BatchLogs } from './callback.js';

export function lazyBatchLogs(batch: number, size: number, loss?: Tensor, correct?: { correct: Tensor; count: number }): BatchLogs {
  let lossValue: number | undefined;
  let accuracyValue: number | undefined;
  const logs = { batch, size } as BatchLogs;
  Object.defineProperty(logs, 'loss', {
    enumerable: true,
    get: () => (lossValue ??= loss && !loss.isDisposed ? loss.item() : NaN),
  });
  Object.defineProperty(logs, 'accuracy', {
    enumerable: true,
    get: () => (accuracyValue ??= correct && !correct.correct.isDisposed ? correct.correct.item() / correct.count : NaN),
  });
  return logs;
}
