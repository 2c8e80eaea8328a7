// Run directories for the dashboard's tests, written the way the trainer writes them
// (config.json first, metrics.jsonl and confusion.jsonl a line per epoch, run.json at the
// end), with values generated here: a run whose validation accuracy climbs epoch by epoch
// and whose confusion matrix moves from mostly wrong to mostly right.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURE_CLASSES = ['circle', 'square', 'triangle'];

export function epochRow(epoch: number): Record<string, number> {
  const acc = Math.min(0.95, 0.4 + 0.15 * epoch);
  return { epoch, loss: 1.2 / (epoch + 1), accuracy: acc, lr: 0.01, time_s: 0.5, val_loss: 1.3 / (epoch + 1), val_accuracy: acc - 0.02 };
}

/** 30 validation samples, 10 a class; more of each class's samples land on the diagonal as epochs pass. */
export function confusionRow(epoch: number): { epoch: number; classes: string[]; matrix: number[][] } {
  const right = Math.min(10, 3 + 2 * epoch);
  const matrix = FIXTURE_CLASSES.map((_, t) => FIXTURE_CLASSES.map((_, p) => (p === t ? right : p === (t + 1) % 3 ? 10 - right : 0)));
  return { epoch, classes: FIXTURE_CLASSES, matrix };
}

/** A run directory that has trained `epochs` epochs so far; with `finished`, it also has run.json. */
export function writeFixtureRun(dir: string, opts: { epochs: number; finished?: boolean; lr?: number; model?: string }): void {
  mkdirSync(path.join(dir, 'checkpoints'), { recursive: true });
  const config = {
    name: path.basename(dir), seed: 1, dataset: { kind: 'npy', root: '/data/shapes', classNames: FIXTURE_CLASSES },
    model: { name: opts.model ?? 'simple-cnn' }, optimizer: { name: 'adam', lr: opts.lr ?? 0.01 }, epochs: 10, batchSize: 32, task: 'classification',
  };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(path.join(dir, 'metrics.jsonl'), '');
  writeFileSync(path.join(dir, 'confusion.jsonl'), '');
  for (let e = 0; e < opts.epochs; e++) appendEpoch(dir, e);
  if (opts.finished) {
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify({
      name: path.basename(dir), model: config.model.name, classNames: FIXTURE_CLASSES, imageShape: [1, 8, 8], weights: 'model.safetensors',
      task: { name: 'classification', metrics: ['accuracy'], primaryMetric: 'accuracy' },
      test: { loss: 0.3, accuracy: 0.9, samples: 30 }, trainSamples: 90, valSamples: 30, startedAt: new Date().toISOString(), trainingSeconds: 1,
    }));
  }
}

export function appendEpoch(dir: string, epoch: number): void {
  appendFileSync(path.join(dir, 'metrics.jsonl'), `${JSON.stringify(epochRow(epoch))}\n`);
  appendFileSync(path.join(dir, 'confusion.jsonl'), `${JSON.stringify(confusionRow(epoch))}\n`);
}
