// visionlab train CONFIG: one experiment from a config file.
import { loadConfigFile, runExperiment } from '../experiment/index.js';
import { parseCommandArgs, positiveInt, str, UsageError, type Command } from './args.js';

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a model from an experiment config (YAML or JSON)',
  usage: `visionlab train CONFIG [--runs DIR] [--epochs N] [--quiet]

Trains the experiment CONFIG describes and writes a run directory under DIR
(default ./runs): config.json, metrics.jsonl/.csv, checkpoints/, model.safetensors,
run.json, metrics.json and report.html. Ends with the line 'test accuracy: X'.

  --runs DIR    where run directories are created (default: runs)
  --epochs N    replace the config's number of epochs
  --quiet       no progress output`,
  async run(argv) {
    const a = parseCommandArgs('train', argv, { runs: { type: 'string' }, epochs: { type: 'string' }, quiet: { type: 'boolean' } });
    if (a.help) return void console.log(this.usage);
    if (a.positionals.length !== 1) throw new UsageError(`train: expected one CONFIG file, got ${a.positionals.length} arguments (see visionlab train --help)`);
    const epochs = positiveInt(a.values.epochs, '--epochs');
    const { config, baseDir } = loadConfigFile(a.positionals[0]!);
    const quiet = a.values.quiet === true;
    const result = await runExperiment(config, {
      runsRoot: str(a.values.runs) ?? 'runs', quiet, baseDir, ...(epochs !== undefined ? { epochs } : {}),
    });
    console.log(`run directory: ${result.runDir}`);
    console.log(`training time: ${result.trainingSeconds.toFixed(1)} s`);
    console.log(`test accuracy: ${result.testAccuracy.toFixed(4)}`);
  },
};
