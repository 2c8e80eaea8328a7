// samples.json and thumbnails.png: the first test samples with their true class, top-5
// predictions, confidence and loss, and their t-SNE and PCA coordinates, next to a sprite
// of their images (one tile each, in order), for the dashboard's prediction explorer and
// embedding projector. Written by the run report from numbers it has computed already.
import { type Tensor, tidy } from '../torch/index.js';
import { imageGrid } from '../data/index.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import type { RunDir } from './run-dir.js';

export const SAMPLES_FILE = 'samples.json';
export const THUMBNAILS_FILE = 'thumbnails.png';
const SPRITE_COLUMNS = 32;

export interface SampleRecord {
  /** Position in the test set. */
  index: number;
  label: number;
  predicted: number;
  /** Probability of the predicted class. */
  confidence: number;
  /** Negative log-probability of the true class (the cross-entropy of this sample). */
  loss: number;
  /** The five most probable classes, most probable first: [class, probability]. */
  top5: [number, number][];
  tsne?: [number, number];
  pca?: [number, number];
}

export interface SamplesFile {
  classes: string[];
  /** Tile i of the sprite sits at column i % columns, row floor(i / columns). */
  thumbnails: { file: string; tileWidth: number; tileHeight: number; columns: number } | null;
  samples: SampleRecord[];
}

export interface SampleInputs {
  classNames: readonly string[];
  yTrue: Int32Array;
  /** Class probabilities [N, C] of at least the samples written. */
  probs: Tensor;
  /** Displayable images [M, C, H, W] (uint8 or float in [0, 1]) of the first samples. */
  images?: Tensor;
  /** Row-major 2-D coordinates of the first samples. */
  tsne?: Float32Array;
  pca?: Float32Array;
  count: number;
}

export async function writeSamples(run: RunDir, s: SampleInputs): Promise<string[]> {
  const n = Math.min(s.count, s.yTrue.length, s.probs.shape[0]!, s.images?.shape[0] ?? Infinity);
  if (n === 0) return [];
  const k = s.probs.shape[1]!;
  const probs = tidy(() => s.probs.narrow(0, 0, n).to('float64').contiguous().toTypedArray() as Float64Array);
  const pair = (xy: Float32Array | undefined, i: number): [number, number] | undefined => (xy && xy.length >= 2 * (i + 1) ? [xy[2 * i]!, xy[2 * i + 1]!] : undefined);
  const samples: SampleRecord[] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from(probs.subarray(i * k, (i + 1) * k));
    const order = row.map((p, c) => [c, p] as [number, number]).sort((a, b) => b[1] - a[1]);
    const label = s.yTrue[i]!;
    const tsne = pair(s.tsne, i);
    const pca = pair(s.pca, i);
    samples.push({
      index: i, label, predicted: order[0]![0], confidence: order[0]![1],
      loss: -Math.log(Math.max(row[label] ?? 0, 1e-12)),
      top5: order.slice(0, 5),
      ...(tsne ? { tsne } : {}), ...(pca ? { pca } : {}),
    });
  }
  const files = [SAMPLES_FILE];
  let thumbnails: SamplesFile['thumbnails'] = null;
  if (s.images) {
    const images = s.images.narrow(0, 0, n);
    const sprite = await imageGrid(images, { cols: SPRITE_COLUMNS, scale: 1, padding: 0 });
    images.dispose();
    await writeFileAtomic(run.file(THUMBNAILS_FILE), sprite, { createParentDir: true });
    thumbnails = { file: THUMBNAILS_FILE, tileWidth: s.images.shape[3]!, tileHeight: s.images.shape[2]!, columns: SPRITE_COLUMNS };
    files.push(THUMBNAILS_FILE);
  }
  const file: SamplesFile = { classes: [...s.classNames], thumbnails, samples };
  await writeFileAtomic(run.file(SAMPLES_FILE), `${JSON.stringify(file)}\n`, { createParentDir: true });
  return files;
}
