// visionlab eval RUN: test loss, accuracy and the per-class report of a finished run.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { classificationReport } from '../metrics/index.js';
import { evaluate } from '../train/index.js';
import { openRun, runTestLoader, runClassificationTask, loadConfigFile, validateConfig, type ExperimentConfig } from '../experiment/index.js';
import { parseCommandArgs, str, UsageError, type Command } from './args.js';

/** A config file, or a folder of class sub-folders tested in full at the run's image size. */
function dataConfigFor(spec: string, run: ExperimentConfig, imageShape: [number, number, number]): { config: ExperimentConfig; baseDir: string } {
  if (!existsSync(spec)) throw new UsageError(`eval: --data ${spec} does not exist`);
  if (!statSync(spec).isDirectory()) {
    const { config, baseDir } = loadConfigFile(spec);
    return { config, baseDir };
  }
  const root = path.resolve(spec);
  const config = validateConfig({
    ...run, labelNoise: undefined, regroup: undefined,
    dataset: { kind: 'image-folder', root, testRoot: root, size: [imageShape[1], imageShape[2]], channels: imageShape[0] },
    split: { val: 0, stratified: false, test: 'dataset' },
  });
  return { config, baseDir: process.cwd() };
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a finished run on its test split (or other data)',
  usage: `visionlab eval RUN [--data CONFIG_OR_DIR]

Prints the test loss, the test accuracy and the classification report of the
model saved in the run directory RUN (with the run's test-time augmentation,
where its config has tta).

  --data CONFIG_OR_DIR  evaluate on the test split of another experiment config,
                        or on every image of a folder of class sub-folders`,
  async run(argv) {
    const a = parseCommandArgs('eval', argv, { data: { type: 'string' } });
    if (a.help) return void console.log(this.usage);
    if (a.positionals.length !== 1) throw new UsageError(`eval: expected one RUN directory, got ${a.positionals.length} arguments (see visionlab eval --help)`);
    const run = await openRun(a.positionals[0]!);
    const dataSpec = str(a.values.data);
    const other = dataSpec ? dataConfigFor(dataSpec, run.config, run.info.imageShape) : undefined;
    const { loader } = await runTestLoader(run, other?.config, other?.baseDir);
    const r = await evaluate(run.model, loader, { task: runClassificationTask(run) });
    console.log(`run: ${run.dir} (${run.info.model})`);
    console.log(`test samples: ${r.yTrue.length}`);
    console.log(`test loss: ${r.loss.toFixed(4)}`);
    console.log(`test accuracy: ${r.accuracy.toFixed(4)}`);
    console.log('');
    console.log(classificationReport(r.yTrue, r.yPred, run.info.classNames, { digits: 4 }).text);
  },
};
