// config.method -> the task, callbacks, modules and report figures runExperiment trains
// with (its buildMethod option).
import { labelNoise } from '../data/index.js';
import { ClassificationTask } from '../train/index.js';
import { ConfigError, type ExperimentConfig, type ExperimentData, type MethodParts, type MethodSetup } from '../experiment/index.js';
import { noisyLabelLoss, ForwardCorrectionTask, estimateTransitionFromAnchors, confidentLearningParts, CoTeaching, CoTeachingPair, LabelCleaning, LabelCleaningModel } from './noisy-labels/index.js';
import { SelfPacedLearning } from './self-paced/index.js';
import { recordsFigure, selfPacedFigures, transitionFigures } from './method-figures.js';

export async function buildMethod(cfg: ExperimentConfig, data: ExperimentData, setup: MethodSetup): Promise<MethodParts> {
  const m = cfg.method;
  if (!m) return {};
  const noise = data.labelNoise;
  // Per training sample, whether its given label is the true one (known with synthetic noise).
  const labelIsCorrect = noise ? Uint8Array.from(noise.trueLabels, (l, i) => (data.train.labels?.[i] === l ? 1 : 0)) : undefined;
  switch (m.name) {
    case 'self-paced': {
      const pace = m.pace === 'growth'
        ? { kind: 'growth' as const, factor: m.growth!, ...(m.lambda !== undefined ? { lambda: m.lambda } : {}), ...(m.startFraction !== undefined ? { startFraction: m.startFraction } : {}) }
        : { kind: 'fraction' as const, start: m.startFraction ?? 0.5, end: m.endFraction ?? 1 };
      const spl = new SelfPacedLearning({
        weighting: m.weighting, pace, datasetSize: data.train.length, warmupEpochs: m.warmupEpochs ?? (m.lambda === undefined ? 1 : 0),
        ...(m.mixtureRatio !== undefined ? { mixtureRatio: m.mixtureRatio } : {}), ...(labelIsCorrect ? { labelIsCorrect } : {}),
      });
      return {
        callbacks: [spl],
        figures: async (history) => [
          ...await recordsFigure(history, { 'admitted share': 'spl_admitted', 'correct labels among the admitted': 'spl_label_precision' },
            { file: 'self_paced_admitted.png', title: 'Samples admitted per epoch, and the share of them whose label is correct', yTitle: 'share', percent: true }),
          ...await selfPacedFigures(spl.records),
        ],
      };
    }
    case 'confident-learning': return confidentLearningParts(cfg, data, setup);
    case 'co-teaching': {
      const forgetRate = m.forgetRate ?? noise?.realisedRate ?? (data.trusted ? trustedNoiseRate(data) : undefined);
      if (forgetRate === undefined) throw new ConfigError('config.method.forgetRate: required when the noise rate is not known (give the share of wrong labels, or an estimate)');
      const coTeaching = new CoTeaching({ forgetRate, ...(m.rampEpochs !== undefined ? { rampEpochs: m.rampEpochs } : {}), ...(labelIsCorrect ? { labelIsCorrect } : {}) });
      return {
        task: coTeaching, callbacks: [coTeaching], trainModel: new CoTeachingPair(setup.model, await setup.buildModel()),
        figures: (history) => recordsFigure(history, {
          'kept share of each batch': 'coteach_kept', 'correct labels among the kept': 'coteach_label_precision', 'correct labels in the batches': 'coteach_batch_precision',
        }, { file: 'co_teaching.png', title: 'Co-teaching: small-loss samples kept per epoch, and how many of their labels are correct', yTitle: 'share', percent: true }),
      };
    }
    case 'label-cleaning': {
      if (!data.trusted) throw new ConfigError("config.method: 'label-cleaning' needs trusted labels to train the cleaner on (labelNoise.cleanSubset, or a labelled-dir with labels 'trusted')");
      const cleaning = new LabelCleaning({
        noisyLabels: data.trusted.noisyLabels, trusted: trustedFlags(data), ...(noise ? { trueLabels: noise.trueLabels } : {}),
        ...(m.cleanerWeight !== undefined ? { cleanerWeight: m.cleanerWeight } : {}),
      });
      try {
        return {
          task: cleaning, callbacks: [cleaning], trainModel: new LabelCleaningModel(setup.model, data.classNames.length, m.embedding ?? 128),
          figures: (history) => recordsFigure(history, { 'cleaned labels (argmax)': 'cleaner_agreement', 'noisy labels': 'noisy_agreement' },
            { file: 'label_cleaning.png', title: 'Untrusted training labels that name the true class, per epoch', yTitle: 'share correct', percent: true }),
        };
      } catch (e) {
        throw new ConfigError(`config.method: ${(e as Error).message}`);
      }
    }
    case 'gce': return { task: new ClassificationTask({ loss: noisyLabelLoss('gce', { ...(m.q !== undefined ? { q: m.q } : {}) }) }) };
    case 'sce': return { task: new ClassificationTask({ loss: noisyLabelLoss('sce', { ...(m.alpha !== undefined ? { alpha: m.alpha } : {}), ...(m.beta !== undefined ? { beta: m.beta } : {}) }) }) };
    case 'bootstrap': return { task: new ClassificationTask({ loss: noisyLabelLoss(m.mode === 'hard' ? 'bootstrap-hard' : 'bootstrap-soft', { ...(m.beta !== undefined ? { beta: m.beta } : {}) }) }) };
    case 'forward-correction': {
      const k = data.classNames.length;
      let transition: number[][];
      let trusted: Uint8Array | undefined;
      if (m.transition === 'clean-subset') {
        const t = data.trusted;
        if (!t) throw new ConfigError("config.method.transition: 'clean-subset' needs trusted labels (labelNoise.cleanSubset, or a labelled-dir with labels 'trusted')");
        // Trusted samples' given labels are their true ones.
        const given = data.train.labels!;
        transition = labelNoise.empiricalTransition(Int32Array.from(t.indices, (i) => given[i]!), Int32Array.from(t.indices, (i) => t.noisyLabels[i]!), k);
        trusted = trustedFlags(data);
      } else if (m.transition === 'estimate') {
        // Patrini et al.'s estimator without clean data: anchor points of a network trained on the noisy labels.
        const all = Int32Array.from({ length: data.train.length }, (_, i) => i);
        setup.log(`forward correction: training a model on the noisy labels to estimate the transition matrix`);
        transition = estimateTransitionFromAnchors(await setup.trainAndPredict(all, all, m.estimateEpochs !== undefined ? { epochs: m.estimateEpochs } : {}), k);
      } else {
        transition = m.transition;
        if (transition.length !== k) throw new ConfigError(`config.method.transition: a ${transition.length}×${transition[0]?.length ?? 0} matrix for ${k} classes`);
      }
      const how = m.transition === 'clean-subset' ? 'from the trusted images' : m.transition === 'estimate' ? 'from anchor points' : 'as given';
      try {
        return {
          task: new ForwardCorrectionTask({ transition, ...(trusted ? { trusted } : {}) }),
          figures: () => transitionFigures(transition, noise?.transitionMatrix, data.classNames, how),
        };
      } catch (e) {
        throw new ConfigError(`config.method.transition: ${(e as Error).message}`);
      }
    }
  }
}

/** 1 for each training sample whose label is trusted. */
function trustedFlags(data: ExperimentData): Uint8Array {
  const flags = new Uint8Array(data.train.length);
  for (const i of data.trusted!.indices) flags[i] = 1;
  return flags;
}

/** The share of trusted images whose noisy label is wrong: the noise rate where no synthetic noise says it. */
function trustedNoiseRate(data: ExperimentData): number {
  const t = data.trusted!;
  const given = data.train.labels!;
  let wrong = 0;
  for (const i of t.indices) if (t.noisyLabels[i] !== given[i]) wrong++;
  return t.indices.length ? wrong / t.indices.length : 0;
}
