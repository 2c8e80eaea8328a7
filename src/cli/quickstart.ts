// visionlab quickstart: the default CNN on the real Fashion-MNIST, with the recipe
// measured to pass 92% test accuracy in a few minutes on two CPU cores.
import { runExperiment, type ExperimentConfig } from '../experiment/index.js';
import { gradCamFigure } from '../methods/explain/index.js';
import { parseCommandArgs, positiveInt, str, type Command } from './args.js';

export const QUICKSTART_CONFIG: ExperimentConfig = {
  name: 'quickstart-fashion-mnist',
  seed: 0,
  dataset: { kind: 'fashion-mnist', root: '/usr/share/datasets/fashion-mnist' },
  split: { val: 0, stratified: true, test: 'dataset' },
  transforms: { train: [], test: [], normalize: 'auto' },
  // A 16-filter first block: a third faster than the default 32 for 0.2-0.3 points of accuracy.
  model: { name: 'fashion-cnn-plus', widths: [16, 64, 128] },
  optimizer: { name: 'adam', lr: 3e-3 },
  schedule: { name: 'one-cycle', maxLr: 3e-3 },
  epochs: 6,
  batchSize: 128,
  device: 'cpu',
  deterministic: false,
  precision: 'auto',
  task: 'classification',
};

export const quickstartCommand: Command = {
  name: 'quickstart',
  summary: 'train the default CNN on Fashion-MNIST and report its test accuracy',
  usage: `visionlab quickstart [--runs DIR] [--epochs N] [--quiet]

Trains fashion-cnn-plus (blocks of 16, 64 and 128 filters) on Fashion-MNIST from
/usr/share/datasets/fashion-mnist (batch 128, Adam with a one-cycle schedule peaking
at 3e-3, 6 epochs), evaluates it on the 10,000 test images, writes a run directory
with its report, and ends with the line 'test accuracy: X'.

  --runs DIR    where the run directory is created (default: runs)
  --epochs N    train for N epochs instead of 6
  --quiet       no progress output`,
  async run(argv) {
    const a = parseCommandArgs('quickstart', argv, { runs: { type: 'string' }, epochs: { type: 'string' }, quiet: { type: 'boolean' } });
    if (a.help) return void console.log(this.usage);
    const epochs = positiveInt(a.values.epochs, '--epochs');
    const t0 = performance.now();
    const result = await runExperiment(QUICKSTART_CONFIG, {
      runsRoot: str(a.values.runs) ?? 'runs', quiet: a.values.quiet === true, reportFigures: gradCamFigure, ...(epochs !== undefined ? { epochs } : {}),
    });
    console.log(`run directory: ${result.runDir}`);
    console.log(`elapsed: ${((performance.now() - t0) / 1000).toFixed(1)} s (training ${result.trainingSeconds.toFixed(1)} s)`);
    console.log(`test accuracy: ${result.testAccuracy.toFixed(4)}`);
  },
};
