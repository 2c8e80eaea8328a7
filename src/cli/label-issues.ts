// visionlab label-issues CONFIG|RUN: which training labels look wrong. Cross-validates the
// config's model over its training split for out-of-fold probabilities and applies
// confident learning (Northcutt et al.): the issues as a CSV and an image grid, and the
// estimated noise matrix.
import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { manualSeed } from '../torch/index.js';
import {
  ConfigError, createMethodSetup, loadConfigFile, loadExperimentData, readRunConfig, validateConfig, CONFIG_FILE, type ExperimentConfig,
} from '../experiment/index.js';
import {
  crossValidatedConfidentLearning, confidentLearningSummary, issueDetectionScores, writeLabelIssueFiles, writeLabelIssueGrid, formatMatrix,
} from '../methods/noisy-labels/index.js';
import { parseCommandArgs, positiveInt, str, UsageError, type Command } from './args.js';

const DEFAULT_FOLDS = 4;
const DEFAULT_TOP = 32;

interface Source { config: ExperimentConfig; baseDir: string; run?: string }

/** A run directory (its config.json) or a config file. */
function loadSource(arg: string): Source {
  if (existsSync(arg) && statSync(arg).isDirectory()) {
    if (!existsSync(path.join(arg, CONFIG_FILE))) throw new UsageError(`label-issues: ${arg} is a directory without ${CONFIG_FILE}: give a config file or a run directory`);
    return { config: validateConfig(readRunConfig(arg), path.join(arg, CONFIG_FILE)), baseDir: path.resolve(arg), run: arg };
  }
  const { config, baseDir } = loadConfigFile(arg);
  return { config, baseDir };
}

export const labelIssuesCommand: Command = {
  name: 'label-issues',
  summary: 'find training labels that look wrong with confident learning (cross-validated)',
  usage: `visionlab label-issues CONFIG|RUN [--folds N] [--fold-epochs N] [--out DIR] [--top N]

Trains N models of the experiment (CONFIG, or the config.json of the run directory RUN)
on stratified folds of its training split, each predicting the fold it did not see, and
applies confident learning (Northcutt et al., "Confident Learning: Estimating Uncertainty
in Dataset Labels") to these out-of-fold probabilities and the given labels. A sample is
an issue when the model is confident (probability at least the class's mean
self-confidence) that it belongs to a class other than its label; issues are ranked by
the probability of the given label, lowest first. No label is changed.

Writes into DIR (default RUN/label-issues, or label-issues/NAME for a config):
  label-issues.csv   index,given,given_name,suggested,suggested_name,confidence
                     (index: the sample's position in the training split after the
                     config's limit and split; confidence: probability of the given label)
  noise-matrix.json  the estimated P(given label | true label), rows true classes, the
                     confident joint and class thresholds; the true noise matrix and the
                     issues' precision and recall when the config adds synthetic label noise
  label-issues.png   the images of the top N issues, captioned "given → suggested"
and prints the number of issues, the estimated noise matrix and, with synthetic noise,
the precision and recall of the issues against the true labels.

  --folds N         cross-validation folds, at least 2 (default: the config's
                    method.folds for confident-learning, else ${DEFAULT_FOLDS})
  --fold-epochs N   epochs of each fold's model (default: method.foldEpochs, else epochs)
  --out DIR         where the files go
  --top N           issues in the image grid (default ${DEFAULT_TOP})`,
  async run(argv) {
    const a = parseCommandArgs('label-issues', argv, {
      folds: { type: 'string' }, 'fold-epochs': { type: 'string' }, out: { type: 'string' }, top: { type: 'string' },
    });
    if (a.help) return void console.log(this.usage);
    if (a.positionals.length !== 1) throw new UsageError(`label-issues: expected one CONFIG file or RUN directory, got ${a.positionals.length} arguments (see visionlab label-issues --help)`);
    const folds = positiveInt(a.values.folds, '--folds');
    if (folds !== undefined && folds < 2) throw new UsageError(`--folds must be at least 2 (one fold trains while another is predicted), got ${folds}`);
    const foldEpochs = positiveInt(a.values['fold-epochs'], '--fold-epochs');
    const top = positiveInt(a.values.top, '--top') ?? DEFAULT_TOP;

    const { config: cfg, baseDir, run } = loadSource(a.positionals[0]!);
    if (cfg.task !== 'classification') throw new ConfigError(`label-issues: confident learning finds wrong class labels; config.task is '${cfg.task}', not 'classification'`);
    const method = cfg.method?.name === 'confident-learning' ? cfg.method : undefined;
    const k = folds ?? method?.folds ?? DEFAULT_FOLDS;
    const epochs = foldEpochs ?? method?.foldEpochs ?? cfg.epochs;
    const out = str(a.values.out) ?? (run ? path.join(run, 'label-issues') : path.join('label-issues', cfg.name));
    if (run) console.log(`using the config of run ${run} (${CONFIG_FILE})`);

    manualSeed(cfg.seed);
    const data = await loadExperimentData(cfg, baseDir);
    const labels = data.train.labels;
    if (!labels) throw new ConfigError('label-issues: the training split has no class labels');
    if (labels.length < k) throw new ConfigError(`label-issues: ${labels.length} training samples cannot fill ${k} folds`);
    const log = (line: string) => console.log(line);
    const setup = await createMethodSetup(cfg, data, { baseDir, log });
    const { result } = await crossValidatedConfidentLearning(labels, data.classNames.length, (t, p, o) => setup.trainAndPredict(t, p, o), {
      folds: k, epochs, seed: cfg.seed, log,
    });

    const noise = data.labelNoise;
    const detection = noise ? issueDetectionScores(result.issues, labels, noise.trueLabels) : undefined;
    const files = await writeLabelIssueFiles(out, {
      classNames: data.classNames, result, ...(noise ? { trueMatrix: noise.transitionMatrix } : {}), ...(detection ? { detection } : {}),
      details: { source: path.resolve(run ?? a.positionals[0]!), folds: k, foldEpochs: epochs, trainSamples: labels.length },
    });
    const png = path.join(out, 'label-issues.png');
    const shown = await writeLabelIssueGrid(png, data.train, result.issues, data.classNames, top);
    // No issues, no grid: a grid left from an earlier call would show issues that are gone.
    if (shown === 0) rmSync(png, { force: true });

    for (const line of confidentLearningSummary(result, labels.length, detection)) console.log(line);
    console.log('estimated noise matrix P(given label | true label), rows true classes:');
    console.log(formatMatrix(result.noiseMatrix, data.classNames));
    if (noise) {
      console.log('true noise matrix (synthetic label noise):');
      console.log(formatMatrix(noise.transitionMatrix, data.classNames));
    }
    console.log(`issues: ${files.csv}`);
    console.log(`noise matrix: ${files.json}`);
    console.log(shown > 0 ? `top ${shown} issues: ${png}` : 'no issues: no image grid written');
  },
};
