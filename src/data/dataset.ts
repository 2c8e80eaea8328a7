// The dataset contract shared by every source (IDX, CIFAR, image folders, arrays...).
// Datasets hand out whole batches, so a batch is one index_select on a tensor, never a
// per-pixel loop in JS.
import { Tensor, tensor, tidy, keep } from '../torch/index.js';

export interface Batch {
  /** Images, uint8 N×C×H×W as stored (transforms turn them into float). */
  inputs: Tensor;
  /** int64 class indices [N] for classification, [N, H, W] masks for segmentation, float [N, K] for multi-label. */
  targets: Tensor;
  /** Dataset indices of the batch's samples. */
  indices: Int32Array;
}

export interface Dataset {
  readonly length: number;
  readonly classNames: string[];
  /** [channels, height, width] of every image. */
  readonly imageShape: [number, number, number];
  /** Class index of every sample, for stratified splits, samplers and histograms (classification only). */
  readonly labels?: Int32Array;
  getBatch(indices: ArrayLike<number>): Batch;
}

function checkIndices(indices: ArrayLike<number>, length: number, what: string): Int32Array {
  const idx = Int32Array.from(indices as ArrayLike<number>);
  for (const i of idx) if (i < 0 || i >= length) throw new RangeError(`${what}: index ${i} out of range [0, ${length})`);
  return idx;
}

/** In-memory images and targets; most datasets load into one of these. */
export class TensorDataset implements Dataset {
  readonly length: number;
  readonly imageShape: [number, number, number];
  readonly labels?: Int32Array;

  constructor(readonly images: Tensor, readonly targets: Tensor, readonly classNames: string[], labels?: Int32Array) {
    const s = images.shape;
    if (s.length !== 4) throw new Error(`TensorDataset: images must be N×C×H×W, got [${s}]`);
    if (targets.shape[0] !== s[0]) throw new Error(`TensorDataset: ${s[0]} images but ${targets.shape[0]} targets`);
    keep(images);
    keep(targets);
    this.length = s[0]!;
    this.imageShape = [s[1]!, s[2]!, s[3]!];
    if (labels) this.labels = labels;
    else if (targets.ndim === 1 && !targets.dtype.startsWith('float')) this.labels = Int32Array.from(targets.toFlatArray());
  }

  getBatch(indices: ArrayLike<number>): Batch {
    const idx = checkIndices(indices, this.length, 'TensorDataset.getBatch');
    return tidy(() => {
      const it = tensor(idx).long();
      return { inputs: this.images.indexSelect(0, it), targets: this.targets.indexSelect(0, it), indices: idx };
    });
  }
}

/** A view of some samples of another dataset (splits, subsets per class). */
export class Subset implements Dataset {
  readonly length: number;
  readonly labels?: Int32Array;
  constructor(readonly base: Dataset, readonly indices: Int32Array) {
    checkIndices(indices, base.length, 'Subset');
    this.length = indices.length;
    if (base.labels) this.labels = Int32Array.from(indices, (i) => base.labels![i]!);
  }
  get classNames(): string[] { return this.base.classNames; }
  get imageShape(): [number, number, number] { return this.base.imageShape; }
  getBatch(indices: ArrayLike<number>): Batch {
    const local = checkIndices(indices, this.length, 'Subset.getBatch');
    const b = this.base.getBatch(Int32Array.from(local, (i) => this.indices[i]!));
    return { ...b, indices: local };
  }
}

/** Count of samples per class. */
export function labelHistogram(ds: Dataset): number[] {
  if (!ds.labels) throw new Error('labelHistogram: dataset has no class labels');
  const h = new Array<number>(ds.classNames.length).fill(0);
  for (const l of ds.labels) h[l] = (h[l] ?? 0) + 1;
  return h;
}
