// The data loaders a config trains and tests with: its transform chains (with the
// normalisation measured or given), batch sizes, shuffling or a distributed sampler, and
// for denoising the noise that makes (noisy, clean) pairs. runExperiment and the methods'
// train-and-predict folds both build their loaders here, so a fold trains like a run.
import { DataLoader } from '../data/index.js';
import type { ProcessGroup } from '../torch/distributed/index.js';
import { DistributedSampler } from '../train/distributed/index.js';
import type { ExperimentConfig, NormalizeStats } from './config.js';
import { ConfigError } from './config-check.js';
import type { ExperimentData } from './experiment-data.js';
import { buildTransform } from './build-transforms.js';
import { buildNoise } from './build-noise.js';

/** Segmentation masks move with their images, with the ignore index where a move uncovers pixels. */
const MASK_FILL_TRANSFORMS = ['RandomCrop', 'RandomRotation', 'RandomAffine'];
function withIgnoreFill(specs: ExperimentConfig['transforms']['train']): ExperimentConfig['transforms']['train'] {
  return specs.map((s) => (MASK_FILL_TRANSFORMS.includes(s.name) && s.maskFill === undefined ? { ...s, maskFill: 255 } : s));
}

/** Train, validation and test loaders, and the test transform chain (also what predictions use). */
export function experimentLoaders(cfg: ExperimentConfig, data: ExperimentData, normalize: NormalizeStats | null, group?: ProcessGroup) {
  const masks = cfg.task === 'segmentation';
  const trainT = buildTransform(masks ? withIgnoreFill(cfg.transforms.train) : cfg.transforms.train, normalize, cfg.seed, 'config.transforms.train');
  const testT = buildTransform(masks ? withIgnoreFill(cfg.transforms.test) : cfg.transforms.test, normalize, cfg.seed, 'config.transforms.test');
  // Denoising: (noisy, clean) pairs, with fixed noise for validation and test (the loader seeds it per batch).
  const noise = cfg.noise ? { noise: buildNoise(cfg.noise, cfg.seed) } : {};
  const device = cfg.device;
  // Segmentation chains run as pair transforms, so every geometric step also moves the masks.
  const using = (t: typeof trainT) => (masks ? { pairTransform: t } : { transform: t });
  const evalBatch = Math.max(cfg.batchSize, masks ? 64 : 256);
  const order = group && group.worldSize > 1
    ? { sampler: new DistributedSampler(data.train.length, { rank: group.rank, worldSize: group.worldSize, seed: cfg.seed }) }
    : { shuffle: true };
  // Augmentation and noise are drawn from (seed, epoch, batch): each rank gets its own
  // seed, or batch b of every rank would share its crops and its noise. The sampler, which
  // must agree across ranks, keeps cfg.seed.
  const train = new DataLoader(data.train, {
    batchSize: localBatchSize(cfg.batchSize, group), ...order, seed: cfg.seed + (group?.rank ?? 0), ...using(trainT), device, ...noise,
  });
  const val = data.val ? new DataLoader(data.val, { batchSize: evalBatch, ...using(testT), device, ...noise }) : undefined;
  const test = new DataLoader(data.test, { batchSize: evalBatch, ...using(testT), device, ...noise });
  return { train, val, test, testT };
}

/** Each rank's share of the global batch. */
export function localBatchSize(batchSize: number, group?: ProcessGroup): number {
  const world = group?.worldSize ?? 1;
  if (batchSize % world !== 0) {
    throw new ConfigError(`config.batchSize: ${batchSize} is the global batch and must divide evenly over ${world} processes`);
  }
  return batchSize / world;
}
