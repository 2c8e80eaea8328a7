// Merging classes into coarser groups (old class -> new class), for labels and datasets.
import { type Tensor, tensor, ops, tidy, keep } from '../torch/index.js';
import { type Batch, type Dataset } from './dataset.js';

export interface Regrouping {
  /** mapping[oldClass] = newClass. */
  mapping: readonly number[];
  classNames: readonly string[];
}

function checkMapping(mapping: readonly number[], names: readonly string[], who: string): void {
  if (!Array.isArray(mapping) || mapping.length === 0) throw new Error(`${who}: mapping must be a non-empty array (old class -> new class)`);
  mapping.forEach((m, i) => {
    if (!Number.isInteger(m) || m < 0 || m >= names.length) throw new RangeError(`${who}: mapping[${i}] = ${m} is not one of the ${names.length} new classes`);
  });
  names.forEach((_, k) => {
    if (!mapping.includes(k)) throw new Error(`${who}: new class ${k} ('${names[k]}') receives no old class`);
  });
}

/** labels mapped through mapping (old -> new). */
export function regroupLabels(labels: ArrayLike<number>, mapping: readonly number[], newClassNames: readonly string[]): Int32Array {
  checkMapping(mapping, newClassNames, 'regroupLabels');
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    const m = mapping[l];
    if (m === undefined) throw new RangeError(`regroupLabels: labels[${i}] = ${l} has no entry in the mapping (${mapping.length} old classes)`);
    out[i] = m;
  }
  return out;
}

/** A dataset whose targets (class indices or segmentation masks) are regrouped on the fly. */
export class RegroupedDataset implements Dataset {
  readonly labels?: Int32Array;
  readonly classNames: string[];
  private readonly lookup: Tensor;

  constructor(readonly base: Dataset, readonly mapping: readonly number[], names: readonly string[]) {
    checkMapping(mapping, names, 'regroupDataset');
    if (base.classNames.length && base.classNames.length !== mapping.length) {
      throw new Error(`regroupDataset: the dataset has ${base.classNames.length} classes but the mapping covers ${mapping.length}`);
    }
    this.classNames = [...names];
    if (base.labels) this.labels = regroupLabels(base.labels, mapping, names);
    this.lookup = keep(tensor(BigInt64Array.from(mapping, (m) => BigInt(m))));
  }
  get length(): number { return this.base.length; }
  get imageShape(): [number, number, number] { return this.base.imageShape; }

  getBatch(indices: ArrayLike<number>): Batch {
    const b = this.base.getBatch(indices);
    if (b.targets.dtype.startsWith('float')) throw new Error('regroupDataset: targets are floats (multi-label?); regrouping needs class indices');
    const targets = tidy(() => ops.index$Tensor(this.lookup, [b.targets.long()]).to(b.targets.dtype));
    b.targets.dispose();
    return { inputs: b.inputs, targets, indices: b.indices };
  }
}

export function regroupDataset(dataset: Dataset, mapping: readonly number[], names: readonly string[]): RegroupedDataset {
  return new RegroupedDataset(dataset, mapping, names);
}

/**
 * Fashion-MNIST's ten classes in three groups, as in the Fashion-MNIST regrouping study:
 *   Top (0):         T-shirt/top (0), Pullover (2), Coat (4), Shirt (6)
 *   Bottom (1):      Trouser (1), Dress (3)
 *   Accessories (2): Sandal (5), Sneaker (7), Bag (8), Ankle boot (9)
 */
export const fashionMnistRegroup: Regrouping = Object.freeze({
  mapping: Object.freeze([0, 1, 0, 1, 0, 2, 0, 2, 2, 2]),
  classNames: Object.freeze(['Top', 'Bottom', 'Accessories']),
});
