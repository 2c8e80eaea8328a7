// A dataset whose class labels are replaced (synthetic label noise on the training split),
// images untouched.
import { tensor } from '../torch/index.js';
import type { Batch, Dataset } from '../data/index.js';

export class RelabelledDataset implements Dataset {
  constructor(readonly base: Dataset, readonly labels: Int32Array) {
    if (labels.length !== base.length) throw new Error(`RelabelledDataset: ${labels.length} labels for ${base.length} samples`);
  }
  get length(): number { return this.base.length; }
  get classNames(): string[] { return this.base.classNames; }
  get imageShape(): [number, number, number] { return this.base.imageShape; }
  getBatch(indices: ArrayLike<number>): Batch {
    const b = this.base.getBatch(indices);
    b.targets.dispose();
    const targets = tensor(BigInt64Array.from(b.indices, (i) => BigInt(this.labels[i]!)));
    return { inputs: b.inputs, targets, indices: b.indices };
  }
}
