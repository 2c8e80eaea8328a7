// confusion.jsonl: the validation confusion matrix after every epoch, one line each, so a
// dashboard can replay how the errors between classes changed during training. The
// matrix comes from the validation pass fit() already runs; nothing is evaluated twice.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../../io/atomic-write.js';
import { confusionMatrix } from '../../metrics/index.js';
import type { Callback, CallbackContext, TrainLogs } from '../callback.js';

export interface ConfusionLoggerOptions {
  file: string;
  classNames: readonly string[];
}

/** One line of confusion.jsonl: rows are true classes, columns predicted ones. */
export interface ConfusionEntry { epoch: number; classes: string[]; matrix: number[][] }

export class ConfusionLogger implements Callback {
  constructor(readonly opts: ConfusionLoggerOptions) {
    if (!opts?.file) throw new TypeError('ConfusionLogger: give the file to write');
    if (!Array.isArray(opts.classNames) || opts.classNames.length === 0) throw new TypeError('ConfusionLogger: classNames is empty');
  }

  onTrainBegin(logs: TrainLogs): void {
    // A resumed run repeats the epochs after its checkpoint: drop their earlier lines.
    if (!existsSync(this.opts.file)) return;
    const kept = readFileSync(this.opts.file, 'utf8').split('\n').filter((line) => {
      try {
        return (JSON.parse(line) as ConfusionEntry).epoch < logs.initialEpoch;
      } catch {
        return false;
      }
    });
    writeFileAtomicSync(this.opts.file, kept.map((l) => `${l}\n`).join(''));
  }

  onEpochEnd(epoch: number, _logs: unknown, ctx: CallbackContext): void {
    const v = ctx.validation;
    if (!v || v.epoch !== epoch || v.yTrue.length === 0) return;
    const entry: ConfusionEntry = { epoch, classes: [...this.opts.classNames], matrix: confusionMatrix(v.yTrue, v.yPred, this.opts.classNames.length) };
    appendFileSync(this.opts.file, `${JSON.stringify(entry)}\n`);
  }
}
