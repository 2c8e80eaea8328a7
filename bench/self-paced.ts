// Self-paced learning on noisy Fashion-MNIST: 40% symmetric label noise on the 60,000
// training images (seeded), no clean subset, tested on the 10,000 true test labels.
// Plain cross-entropy and each of the four weightings train the same backbone with the
// same budget (Adam, one-cycle). The weightings start after a plain warm-up epoch and
// admit a growing share of each batch, from --start (0.5) to --end (0.65: a little more
// than the 0.6 share of right labels, since the hardest right labels are admitted last).
//
// The default backbone is the MLP (one hidden layer of 256) so that the five runs fit a
// shared two-core machine; --model fashion-cnn-bn trains the small CNN instead.
//
// Usage: npm run bench:self-paced [-- --epochs 15 --model mlp --hidden 256 --rate 0.4 --weightings hard,linear]
import { parseArgs } from 'node:util';
import { labelNoise } from '../src/data/index.js';
import { RelabelledDataset } from '../src/experiment/index.js';
import { SelfPacedLearning, SELF_PACED_WEIGHTINGS, type SelfPacedWeighting } from '../src/methods/self-paced/index.js';
import { loadFashion, newModel, trainLoader, trainContender, printTable, type Budget, type ContenderResult } from './noisy-setting.js';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '15' },
    model: { type: 'string', default: 'mlp' },
    hidden: { type: 'string', default: '256' },
    batch: { type: 'string', default: '256' },
    lr: { type: 'string', default: '0.003' },
    rate: { type: 'string', default: '0.4' },
    warmup: { type: 'string', default: '1' },
    start: { type: 'string', default: '0.5' },
    end: { type: 'string', default: '0.65' },
    seed: { type: 'string', default: '0' },
    weightings: { type: 'string', default: SELF_PACED_WEIGHTINGS.join(',') },
  },
});
const budget: Budget = { model: args.model!, hidden: Number(args.hidden), epochs: Number(args.epochs), batchSize: Number(args.batch), lr: Number(args.lr), seed: Number(args.seed) };
const rate = Number(args.rate);
const weightings = args.weightings!.split(',').filter(Boolean) as SelfPacedWeighting[];
for (const w of weightings) if (!SELF_PACED_WEIGHTINGS.includes(w)) throw new Error(`--weightings: '${w}' is not one of ${SELF_PACED_WEIGHTINGS.join(', ')}`);

const data = await loadFashion();
const trueLabels = data.train.labels!;
const noise = labelNoise.symmetric(trueLabels, rate, 10, budget.seed);
const noisy = new RelabelledDataset(data.train, noise.noisyLabels);
const labelIsCorrect = Uint8Array.from(trueLabels, (l, i) => (l === noise.noisyLabels[i] ? 1 : 0));
console.error(`self-paced: ${budget.model}${budget.model === 'mlp' ? ` (hidden ${budget.hidden})` : ''}, ${budget.epochs} epochs, batch ${budget.batchSize}, noise ${(100 * noise.realisedRate).toFixed(1)}% symmetric`);

const rows: ContenderResult[] = [];
rows.push(await trainContender('standard', newModel(budget), trainLoader(noisy, data, budget), data, budget));
const spl: Record<string, SelfPacedLearning> = {};
for (const weighting of weightings) {
  const cb = new SelfPacedLearning({
    weighting, datasetSize: noisy.length, warmupEpochs: Number(args.warmup), labelIsCorrect,
    pace: { kind: 'fraction', start: Number(args.start), end: Number(args.end) },
  });
  spl[weighting] = cb;
  rows.push(await trainContender(weighting, newModel(budget), trainLoader(noisy, data, budget), data, budget, { callbacks: [cb] }));
}

printTable(rows);
for (const [w, cb] of Object.entries(spl)) {
  const trace = cb.records.map((r) => `e${r.epoch + 1} lambda ${Number.isNaN(r.lambda) ? '-' : r.lambda.toFixed(3)} admitted ${r.admitted.toFixed(3)} precision ${r.labelPrecision?.toFixed(3)}`);
  console.log(`${w}: ${trace.join('; ')}`);
}
for (const r of rows) console.log(`self-paced ${r.name}: ${r.testAccuracy.toFixed(4)}`);
