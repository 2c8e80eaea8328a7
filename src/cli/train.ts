// visionlab train CONFIG: one experiment from a config file; --resume RUN_DIR continues
// a run that was interrupted, in its own directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfigFile, runExperiment } from '../experiment/index.js';
import { buildMethod } from '../methods/index.js';
import { adversarialTraining } from '../methods/adversarial-training/index.js';
import { gradCamFigure } from '../methods/explain/index.js';
import { parseCommandArgs, positiveInt, str, UsageError, type Command } from './args.js';
import { LAUNCH_FLAGS, LAUNCH_USAGE, launchIfAsked, joinGroupFromEnvironment } from './distributed-train.js';

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a model from an experiment config (YAML or JSON), or resume a run',
  usage: `visionlab train CONFIG [--runs DIR] [--epochs N] [--quiet] [--nproc N ...]
visionlab train --resume RUN_DIR [--epochs N] [--quiet] [--nproc N ...]

Trains the experiment CONFIG describes and writes a run directory under DIR
(default ./runs): config.json, metrics.jsonl/.csv, checkpoints/, model.safetensors,
run.json, metrics.json and report.html. Ends with the line 'test accuracy: X'.

A checkpoint (checkpoints/last.ckpt) is written atomically after every epoch, and
every N training steps with 'checkpointEvery: N' in the config. A run that was
killed (Ctrl-C, SIGKILL, power loss) continues from its last checkpoint with
--resume RUN_DIR: same config (the run's own config.json), same directory, and
the same final weights as a run that was never interrupted.

  --resume RUN_DIR  continue the run in RUN_DIR from its last checkpoint
  --runs DIR        where run directories are created (default: runs)
  --epochs N        replace the config's number of epochs (with --resume: train up to N)
  --quiet           no progress output
  --profile         profile 10 training steps (after 3 warm-up steps) with libtorch's
                    profiler, print the most expensive operators (self time, calls,
                    input shapes) and stop; no run directory is kept
  --profile-steps N profile N steps instead of 10
${LAUNCH_USAGE}`,
  async run(argv) {
    const a = parseCommandArgs('train', argv, {
      runs: { type: 'string' }, epochs: { type: 'string' }, quiet: { type: 'boolean' }, resume: { type: 'string' },
      profile: { type: 'boolean' }, 'profile-steps': { type: 'string' }, ...LAUNCH_FLAGS,
    });
    if (a.help) return void console.log(this.usage);
    if (await launchIfAsked('train', a, argv)) return;
    const distributed = joinGroupFromEnvironment();
    const epochs = positiveInt(a.values.epochs, '--epochs');
    const quiet = a.values.quiet === true;
    const resume = str(a.values.resume);
    const profileSteps = positiveInt(a.values['profile-steps'], '--profile-steps') ?? (a.values.profile === true ? 10 : undefined);
    const common = { quiet, buildMethod, trainingMethods: adversarialTraining, reportFigures: gradCamFigure, ...(epochs !== undefined ? { epochs } : {}), ...(distributed ? { distributed } : {}) };
    if (profileSteps !== undefined) {
      if (resume !== undefined || distributed) throw new UsageError('train: --profile profiles one fresh process; it does not combine with --resume or --nproc');
      if (a.positionals.length !== 1) throw new UsageError(`train: expected one CONFIG file, got ${a.positionals.length} arguments (see visionlab train --help)`);
      const { config, baseDir } = loadConfigFile(a.positionals[0]!);
      const runsRoot = mkdtempSync(path.join(tmpdir(), 'visionlab-profile-'));
      try {
        const r = await runExperiment(config, { ...common, quiet: true, log: (line) => console.log(line), runsRoot, baseDir, profileSteps });
        if (!r.profile) console.log('profile: training ended before any step was profiled');
      } finally {
        rmSync(runsRoot, { recursive: true, force: true });
      }
      return;
    }
    let result;
    try {
      if (resume !== undefined) {
        if (a.positionals.length !== 0) throw new UsageError('train: --resume RUN_DIR takes no CONFIG (the run directory holds its config)');
        if (a.values.runs !== undefined) throw new UsageError('train: --resume continues in RUN_DIR; --runs does not apply');
        result = await runExperiment(undefined, { ...common, resume });
      } else {
        if (a.positionals.length !== 1) throw new UsageError(`train: expected one CONFIG file, got ${a.positionals.length} arguments (see visionlab train --help)`);
        const { config, baseDir } = loadConfigFile(a.positionals[0]!);
        result = await runExperiment(config, { ...common, runsRoot: str(a.values.runs) ?? 'runs', baseDir });
      }
    } catch (e) {
      if (distributed && e instanceof Error) e.message = `rank ${distributed.rank} of ${distributed.worldSize}: ${e.message}`;
      throw e;
    } finally {
      distributed?.destroy();
    }
    if (distributed && distributed.rank !== 0) return;
    console.log(`run directory: ${result.runDir}`);
    console.log(`training time: ${result.trainingSeconds.toFixed(1)} s`);
    console.log(`test accuracy: ${result.testAccuracy.toFixed(4)}`);
  },
};
