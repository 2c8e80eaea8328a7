// The noisy-label study's setting built from Fashion-MNIST: the 60,000 training images,
// trusted labels for 10,000 of them (stratified), noise on the other 50,000 (50%
// symmetric by default, seeded), tested on the 10,000 test images' true labels. One
// backbone and one budget for all: cross-entropy on the labels as given, cross-entropy on
// the clean subset only, the same network on all 60,000 true labels (the ceiling), and
// each method. The trusted images also carry the noisy label drawn for them, as in the
// study's layout, which is what the clean-subset estimate of the transition matrix uses.
//
// The default backbone is the MLP (one hidden layer of 256) so that the runs fit a shared
// two-core machine; --model fashion-cnn-bn trains the small CNN instead.
//
// Confident learning (prune, then retrain) also trains its --cl-folds cross-validation
// models, each for the budget, before its retraining.
//
// Usage: npm run bench:noisy [-- --methods forward-correction,gce --epochs 3 --noise asymmetric --rate 0.4 --limit 2000 --cl-folds 4]
import { parseArgs } from 'node:util';
import { labelNoise, Subset, DataLoader, stratifiedSplit, fashionMnistAsymmetricMapping } from '../src/data/index.js';
import { RelabelledDataset } from '../src/experiment/index.js';
import { ClassificationTask, evaluate, type Task, type Callback } from '../src/train/index.js';
import type { Module } from '../src/nn/index.js';
import {
  NOISY_LABEL_LOSSES, noisyLabelLoss, ForwardCorrectionTask, CoTeaching, CoTeachingPair, LabelCleaning, LabelCleaningModel,
  crossValidatedConfidentLearning, issueDetectionScores,
} from '../src/methods/noisy-labels/index.js';
import { loadFashion, newModel, trainLoader, trainContender, printTable, type Budget, type ContenderResult } from './noisy-setting.js';

const METHODS = ['label-cleaning', 'label-cleaning-hard', 'forward-correction', 'co-teaching', 'confident-learning', ...NOISY_LABEL_LOSSES] as const;
type Method = (typeof METHODS)[number];

const { values: args } = parseArgs({
  options: {
    methods: { type: 'string', default: METHODS.join(',') },
    noise: { type: 'string', default: 'symmetric' },
    rate: { type: 'string', default: '0.5' },
    clean: { type: 'string', default: '10000' },
    epochs: { type: 'string', default: '5' },
    model: { type: 'string', default: 'mlp' },
    hidden: { type: 'string', default: '256' },
    batch: { type: 'string', default: '256' },
    lr: { type: 'string', default: '0.003' },
    seed: { type: 'string', default: '0' },
    /** Folds of confident learning's cross-validation (each fold's model trains for the budget's epochs). */
    'cl-folds': { type: 'string', default: '4' },
    /** Training images to use (a quick check of the script); default all 60,000. */
    limit: { type: 'string' },
  },
});
const budget: Budget = { model: args.model!, hidden: Number(args.hidden), epochs: Number(args.epochs), batchSize: Number(args.batch), lr: Number(args.lr), seed: Number(args.seed) };
const methods = args.methods!.split(',').filter(Boolean) as Method[];
for (const m of methods) if (!METHODS.includes(m)) throw new Error(`--methods: '${m}' is not one of ${METHODS.join(', ')}`);
if (args.noise !== 'symmetric' && args.noise !== 'asymmetric') throw new Error(`--noise: expected symmetric or asymmetric, got '${args.noise}'`);
const rate = Number(args.rate);

const data = await loadFashion();
if (args.limit !== undefined) data.train = new Subset(data.train, stratifiedSplit(data.train.labels!, { train: Number(args.limit), val: 0 }, 0).train);
const trueLabels = data.train.labels!;
const noise = labelNoise.withCleanSubset(trueLabels, Number(args.clean), budget.seed, (l) => (args.noise === 'symmetric'
  ? labelNoise.symmetric(l, rate, 10, budget.seed)
  : labelNoise.asymmetric(l, { mapping: fashionMnistAsymmetricMapping, rate, numClasses: 10 }, budget.seed)));
const given = new RelabelledDataset(data.train, noise.noisyLabels);
console.error(`noisy-labels: ${budget.model}, ${budget.epochs} epochs, batch ${budget.batchSize}; ${noise.cleanIndices.length} trusted labels, ` +
  `${(100 * noise.realisedRate).toFixed(1)}% of the other labels wrong (${args.noise})`);

const trusted = new Uint8Array(trueLabels.length);
for (const i of noise.cleanIndices) trusted[i] = 1;

/** What a method trains: its task, callbacks, and the module around the backbone where it has one. */
function methodParts(m: Exclude<Method, 'confident-learning'>, model: Module): { task: Task; callbacks?: Callback[]; trainModel?: Module } {
  switch (m) {
    case 'forward-correction': {
      // T from the trusted images, where the true and the noisy label are both known.
      const t = labelNoise.empiricalTransition(Int32Array.from(noise.cleanIndices, (i) => trueLabels[i]!), Int32Array.from(noise.cleanIndices, (i) => noise.noisyForAll[i]!), 10);
      const err = Math.max(...t.flatMap((row, i) => row.map((v, j) => Math.abs(v - noise.transitionMatrix[i]![j]!))));
      console.error(`  transition matrix from the clean subset: largest difference to the true one ${err.toFixed(4)}`);
      return { task: new ForwardCorrectionTask({ transition: t, trusted }) };
    }
    case 'co-teaching': {
      // The forget rate is the noise rate measured on the trusted images.
      let wrong = 0;
      for (const i of noise.cleanIndices) if (noise.noisyForAll[i] !== trueLabels[i]) wrong++;
      const labelIsCorrect = Uint8Array.from(noise.noisyLabels, (l, i) => (l === trueLabels[i] ? 1 : 0));
      const task = new CoTeaching({ forgetRate: wrong / noise.cleanIndices.length, rampEpochs: Math.max(1, budget.epochs / 2), labelIsCorrect });
      return { task, callbacks: [task], trainModel: new CoTeachingPair(model, newModel({ ...budget, seed: budget.seed + 1 })) };
    }
    case 'label-cleaning':
    case 'label-cleaning-hard': {
      const task = new LabelCleaning({ noisyLabels: noise.noisyForAll, trusted, trueLabels: Int32Array.from(trueLabels), targets: m === 'label-cleaning' ? 'soft' : 'hard' });
      return { task, callbacks: [task], trainModel: new LabelCleaningModel(model, 10) };
    }
    default:
      return { task: new ClassificationTask({ loss: noisyLabelLoss(m) }) };
  }
}

/**
 * Confident learning, prune then retrain: out-of-fold probabilities from models trained on
 * the labels as given, the label issues among the untrusted images left out, and the
 * network retrained for the budget on the rest (the trusted labels are never pruned).
 * The cross-validation comes on top of the budget; the row's time is the retraining's.
 */
async function confidentLearningContender(): Promise<ContenderResult> {
  const givenLabels = Int32Array.from(noise.noisyLabels);
  const t0 = performance.now();
  const { result } = await crossValidatedConfidentLearning(givenLabels, 10, async (trainIdx, predictIdx) => {
    const model = newModel(budget);
    await trainContender('  fold', model, trainLoader(new Subset(given, trainIdx), data, budget), data, budget);
    const r = await evaluate(model, new DataLoader(new Subset(given, predictIdx), { batchSize: 512, transform: data.transform }), { task: new ClassificationTask(), probs: true });
    const probs = r.probs!.toTypedArray() as Float32Array;
    r.probs!.dispose();
    return probs;
  }, { folds: Number(args['cl-folds']), epochs: budget.epochs, seed: budget.seed });
  const pruned = result.issues.filter((x) => !trusted[x.index]);
  const detection = issueDetectionScores(pruned, givenLabels, trueLabels);
  console.error(`  confident learning: ${pruned.length} untrusted labels pruned in ${((performance.now() - t0) / 1000).toFixed(0)} s ` +
    `(precision ${detection.precision.toFixed(4)}, recall ${detection.recall.toFixed(4)})`);
  const isPruned = new Uint8Array(givenLabels.length);
  for (const x of pruned) isPruned[x.index] = 1;
  const kept = Int32Array.from({ length: givenLabels.length }, (_, i) => i).filter((i) => !isPruned[i]);
  return trainContender('confident-learning', newModel(budget), trainLoader(new Subset(given, kept), data, budget), data, budget);
}

const refs: ContenderResult[] = [];
refs.push(await trainContender('standard', newModel(budget), trainLoader(given, data, budget), data, budget));
refs.push(await trainContender('clean-only', newModel(budget), trainLoader(new Subset(data.train, noise.cleanIndices), data, budget), data, budget));
refs.push(await trainContender('clean ceiling', newModel(budget), trainLoader(data.train, data, budget), data, budget));
const rows: ContenderResult[] = [];
for (const m of methods) {
  if (m === 'confident-learning') {
    rows.push(await confidentLearningContender());
    continue;
  }
  const model = newModel(budget);
  rows.push(await trainContender(m, model, trainLoader(given, data, budget), data, budget, methodParts(m, model)));
}

printTable([...refs, ...rows]);
const [standard, cleanOnly, ceiling] = refs;
console.log(`noisy-labels standard: ${standard!.testAccuracy.toFixed(4)}`);
console.log(`noisy-labels clean-only: ${cleanOnly!.testAccuracy.toFixed(4)}`);
console.log(`noisy-labels clean ceiling: ${ceiling!.testAccuracy.toFixed(4)}`);
if (rows.length) {
  const best = rows.reduce((a, b) => (b.testAccuracy > a.testAccuracy ? b : a));
  console.log(`noisy-labels best method (${best.name}): ${best.testAccuracy.toFixed(4)}`);
  console.log(`noisy-labels gap to ceiling: ${(ceiling!.testAccuracy - best.testAccuracy).toFixed(4)}`);
}
