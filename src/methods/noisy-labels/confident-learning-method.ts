// Confident learning as a training method (config method: {name: confident-learning}):
// cross-validate the configured model over the training split for out-of-fold
// probabilities, find the label issues (off-diagonal samples of the confident joint),
// leave them out with sample weight 0, and let runExperiment train the configured model on
// the rest ("prune, then retrain", as in the paper). The run directory gets
// label-issues.csv and noise-matrix.json.
import path from 'node:path';
import { ConfigError, type ExperimentConfig, type ExperimentData, type MethodParts, type MethodSetup } from '../../experiment/index.js';
import { confidentLearning, issueDetectionScores, type ConfidentLearningResult, type IssueDetectionScores } from './confident-learning.js';
import { outOfFoldProbabilities, type TrainAndPredict } from './cross-validation.js';
import { estimatedNoiseRate, writeLabelIssueFiles } from './label-issue-files.js';
import { writeLabelIssueGrid } from './label-issue-grid.js';
import { transitionFigures } from '../method-figures.js';

export interface CrossValidatedOptions {
  folds: number;
  /** Epochs of each fold's model. */
  epochs: number;
  /** Seed of the fold assignment. */
  seed: number;
  log?: (line: string) => void;
}

export interface CrossValidatedResult {
  /** Out-of-fold probabilities, N×K row-major. */
  probs: Float32Array;
  result: ConfidentLearningResult;
}

/** Out-of-fold probabilities from `folds` models (stratified folds), then confident learning on them. */
export async function crossValidatedConfidentLearning(
  labels: Int32Array, numClasses: number, trainAndPredict: TrainAndPredict, o: CrossValidatedOptions,
): Promise<CrossValidatedResult> {
  const log = o.log ?? (() => undefined);
  log(`confident learning: ${o.folds}-fold cross-validation over ${labels.length} training samples, ${o.epochs} epoch${o.epochs === 1 ? '' : 's'} per fold`);
  const t0 = performance.now();
  const probs = await outOfFoldProbabilities(labels.length, numClasses, o.folds, trainAndPredict, o.seed, {
    labels, epochs: o.epochs,
    onFold: (f, folds, held) => log(`  fold ${f + 1}/${folds}: predicted ${held} held-out samples (${((performance.now() - t0) / 1000).toFixed(1)} s)`),
  });
  return { probs, result: confidentLearning(probs, labels, numClasses) };
}

/** Lines that say what was found: issues, the estimated noise rate and, with known true labels, precision and recall. */
export function confidentLearningSummary(result: ConfidentLearningResult, samples: number, detection?: IssueDetectionScores): string[] {
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const lines = [
    `label issues: ${result.issues.length} of ${samples} training labels (${pct(result.issues.length / samples)}); ` +
    `estimated noise rate ${pct(estimatedNoiseRate(result.joint))}`,
  ];
  if (detection) {
    const f = (v: number) => (Number.isNaN(v) ? 'n/a' : v.toFixed(4));
    lines.push(`against the true labels (${detection.wrong} wrong): precision ${f(detection.precision)}, recall ${f(detection.recall)} ` +
      `(${detection.truePositives} of ${detection.found} issues are wrong labels)`);
  }
  return lines;
}

/** MethodParts for config.method {name: 'confident-learning'}: weight 0 for the label issues, 1 for the rest. */
export async function confidentLearningParts(cfg: ExperimentConfig, data: ExperimentData, setup: MethodSetup): Promise<MethodParts> {
  const m = cfg.method;
  if (m?.name !== 'confident-learning') throw new ConfigError(`config.method: confidentLearningParts builds 'confident-learning', not '${m?.name ?? 'none'}'`);
  const labels = data.train.labels;
  if (!labels) throw new ConfigError("config.method: 'confident-learning' needs class labels on the training split");
  const classNames = data.classNames;
  const epochs = m.foldEpochs ?? cfg.epochs;
  const { result } = await crossValidatedConfidentLearning(labels, classNames.length, (t, p, o) => setup.trainAndPredict(t, p, o), {
    folds: m.folds, epochs, seed: cfg.seed, log: (l) => setup.log(l),
  });
  const noise = data.labelNoise;
  const detection = noise ? issueDetectionScores(result.issues, labels, noise.trueLabels) : undefined;
  for (const line of confidentLearningSummary(result, labels.length, detection)) setup.log(line);
  if (result.issues.length >= labels.length) {
    throw new Error(`confident learning flagged all ${labels.length} training labels: nothing is left to train on (are the fold models trained at all? foldEpochs ${epochs})`);
  }
  if (setup.runDir) {
    await writeLabelIssueFiles(setup.runDir.path, {
      classNames, result, ...(noise ? { trueMatrix: noise.transitionMatrix } : {}), ...(detection ? { detection } : {}),
      details: { folds: m.folds, foldEpochs: epochs, trainSamples: labels.length },
    });
    // The gallery of the most suspicious labels, shown in the run's report folder and dashboard.
    await writeLabelIssueGrid(path.join(setup.runDir.path, 'label-issues.png'), data.train, result.issues, classNames);
  }
  const sampleWeights = new Float32Array(labels.length).fill(1);
  for (const x of result.issues) sampleWeights[x.index] = 0;
  setup.log(`retraining on the ${labels.length - result.issues.length} training samples left`);
  return { sampleWeights, figures: () => transitionFigures(result.noiseMatrix, noise?.transitionMatrix, classNames, 'by confident learning') };
}
