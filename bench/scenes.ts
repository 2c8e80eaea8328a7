// Scenes benchmark: segmentation and multi-label classification on the scenes data set
// (Fashion-MNIST garments on textured backgrounds, VOC layout), made first when absent.
//
// Trains DeepLabV3+ on an atrous MobileNetV2 (output stride 16) for the per-pixel classes
// and a MobileNetV2 classifier with one sigmoid output per garment class for the
// image-level labels, within a stated time budget, and prints on the test split:
//   scenes segmentation mIoU: X
//   scenes multilabel mAP: X
// plus the F1 at the threshold chosen on validation and at the study's 0.15 with top-1
// fallback. The overlay figure (image | truth | prediction) goes to --overlay.
//
// Usage: npm run bench:scenes [-- --data DIR --seg-epochs 8 --cls-epochs 6 --overlay docs/scenes-overlay.png]
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { manualSeed, getNumThreads, tidy, type Tensor } from '../src/torch/index.js';
import {
  makeScenes, vocDataset, CLASSES_FILE, DataLoader, compose, Normalize, RandomHorizontalFlip, RandomAffine, type Dataset,
} from '../src/data/index.js';
import { createModel } from '../src/models/index.js';
import { AdamW, CosineAnnealingLR } from '../src/optim/index.js';
import { fit, evaluate, SegmentationTask, MultilabelTask, segmentationOverlayPng } from '../src/train/index.js';
import { selectThresholds, multilabelScores } from '../src/metrics/index.js';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: path.join(process.env.VISIONLAB_CACHE ?? path.join(os.homedir(), '.cache', 'visionlab'), 'scenes-64') },
    'seg-epochs': { type: 'string', default: '8' },
    'cls-epochs': { type: 'string', default: '6' },
    batch: { type: 'string', default: '32' },
    overlay: { type: 'string', default: 'docs/scenes-overlay.png' },
    seed: { type: 'string', default: '0' },
  },
});
const BUDGET_MINUTES = 30;
const seed = Number(args.seed);
const batchSize = Number(args.batch);
const MEAN = [0.5, 0.5, 0.5];
const STD = [0.25, 0.25, 0.25];
const started = performance.now();
const minutes = () => ((performance.now() - started) / 60000).toFixed(1);

if (!existsSync(path.join(args.data, CLASSES_FILE))) {
  console.log(`making the scenes data set in ${args.data} ...`);
  const s = await makeScenes(args.data, { seed: 0 });
  console.log(`  ${s.counts.train} train, ${s.counts.val} val, ${s.counts.test} test scenes`);
}
console.log(`libtorch threads: ${getNumThreads()}; time budget ${BUDGET_MINUTES} min`);

const load = (split: string, target: 'segmentation' | 'multilabel') => vocDataset(args.data, { split, target }) as Promise<Dataset>;
const normalize = new Normalize(MEAN, STD);

async function segmentationRun(): Promise<number> {
  const [train, val, test] = [await load('train', 'segmentation'), await load('val', 'segmentation'), await load('test', 'segmentation')];
  const k = train.classNames.length;
  manualSeed(seed);
  const model = createModel('deeplabv3plus-mobilenetv2', { numClasses: k, widthMult: 0.5, asppChannels: 96, decoderChannels: 64, outputStride: 16 });
  const task = new SegmentationTask({ numClasses: k });
  const epochs = Number(args['seg-epochs']);
  const optimizer = new AdamW(model.parameters(), { lr: 3e-3, weightDecay: 1e-4 });
  const schedule = new CosineAnnealingLR(optimizer, { tMax: epochs });
  const pair = compose([new RandomHorizontalFlip(0.5, { seed }), new RandomAffine({ degrees: 10, scale: [0.8, 1.2], maskFill: 255, seed })]);
  const trainDl = new DataLoader(train, { batchSize, shuffle: true, seed, transform: normalize, pairTransform: pair });
  const valDl = new DataLoader(val, { batchSize: 64, transform: normalize });
  const testDl = new DataLoader(test, { batchSize: 64, transform: normalize });
  await fit(model, trainDl, { valData: valDl, epochs, optimizer, schedule, task, seed, verbose: !process.env.CI });
  const r = await evaluate(model, testDl, { task, probs: true });
  const probs = r.probs!;
  try {
    const batch = test.getBatch(Array.from({ length: Math.min(8, test.length) }, (_, i) => i));
    const pred = tidy(() => probs.narrow(0, 0, batch.inputs.shape[0]!).argmax(1));
    await segmentationOverlayPng(args.overlay, batch.inputs, batch.targets, pred, { maxImages: 6 });
    for (const t of [batch.inputs, batch.targets, pred]) t.dispose();
  } finally {
    probs.dispose();
  }
  console.log(`segmentation: test pixel accuracy ${r.metrics.pixel_accuracy!.toFixed(4)}, Dice ${r.metrics.dice!.toFixed(4)} (${minutes()} min so far)`);
  console.log(`scenes segmentation mIoU: ${r.metrics.mIoU!.toFixed(4)}`);
  return r.metrics.mIoU!;
}

async function multilabelRun(): Promise<number> {
  const [train, val, test] = [await load('train', 'multilabel'), await load('val', 'multilabel'), await load('test', 'multilabel')];
  const k = train.classNames.length;
  manualSeed(seed);
  const model = createModel('mobilenet_v2', { numClasses: k, widthMult: 0.5, dropout: 0.1 });
  const task = new MultilabelTask({ numLabels: k, threshold: 0.5, fallbackTop1: true });
  const epochs = Number(args['cls-epochs']);
  const optimizer = new AdamW(model.parameters(), { lr: 3e-3, weightDecay: 1e-4 });
  const schedule = new CosineAnnealingLR(optimizer, { tMax: epochs });
  const trainDl = new DataLoader(train, { batchSize, shuffle: true, seed, transform: compose([new RandomHorizontalFlip(0.5, { seed }), normalize]) });
  const valDl = new DataLoader(val, { batchSize: 64, transform: normalize });
  const testDl = new DataLoader(test, { batchSize: 64, transform: normalize });
  await fit(model, trainDl, { valData: valDl, epochs, optimizer, schedule, task, seed, verbose: !process.env.CI });
  const scoresOf = async (dl: DataLoader) => {
    const r = await evaluate(model, dl, { task, probs: true });
    const p = r.probs!;
    const rows = p.toArray() as number[][];
    p.dispose();
    return { r, rows, targets: targetsOf(dl.dataset) };
  };
  const v = await scoresOf(valDl);
  const t = await scoresOf(testDl);
  const chosen = selectThresholds(v.targets, v.rows);
  const atChosen = multilabelScores(t.targets, t.rows, { threshold: chosen.thresholds, fallbackTop1: true });
  const atStudy = multilabelScores(t.targets, t.rows, { threshold: 0.15, fallbackTop1: true });
  console.log(`multilabel: threshold ${chosen.thresholds[0]} (best micro F1 on val): test F1 micro ${atChosen.f1Micro.toFixed(4)}, macro ${atChosen.f1Macro.toFixed(4)}, exact match ${atChosen.exactMatch.toFixed(4)}`);
  console.log(`multilabel: threshold 0.15 with top-1 fallback: test F1 micro ${atStudy.f1Micro.toFixed(4)}, macro ${atStudy.f1Macro.toFixed(4)}, exact match ${atStudy.exactMatch.toFixed(4)} (${minutes()} min so far)`);
  console.log(`scenes multilabel mAP: ${t.r.metrics.mAP!.toFixed(4)}`);
  return t.r.metrics.mAP!;
}

function targetsOf(ds: Dataset): number[][] {
  return tidy(() => {
    const b = ds.getBatch(Array.from({ length: ds.length }, (_, i) => i));
    const rows = (b.targets as Tensor).toArray() as number[][];
    b.inputs.dispose();
    return rows;
  });
}

const mIoU = await segmentationRun();
const mAP = await multilabelRun();
const total = (performance.now() - started) / 60000;
console.log(`total ${total.toFixed(1)} min (budget ${BUDGET_MINUTES} min${total > BUDGET_MINUTES ? ', EXCEEDED' : ''}); targets mIoU >= 0.75 (${mIoU >= 0.75 ? 'met' : 'missed'}), mAP >= 0.93 (${mAP >= 0.93 ? 'met' : 'missed'})`);
