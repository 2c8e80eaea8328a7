// The Lovász-softmax loss (Berman, Rannen Triki and Blaschko, CVPR 2018): a convex
// surrogate of 1 − IoU per class, so training optimises the Jaccard index that mIoU
// reports rather than per-pixel accuracy. The Lovász extension of the Jaccard loss is
// the dot product of the class's pixel errors, sorted in decreasing order, with the
// discrete gradient of the Jaccard loss along that order.
import { type Tensor, cat, stack, ops } from '../../torch/index.js';
import { fmtShape } from './checks.js';

export interface LovaszSoftmaxOptions {
  /** Target value of pixels left out. Default 255. */
  ignoreIndex?: number;
  /** 'present' (default) averages over the classes that occur in the counted pixels; 'all' over every class. */
  classes?: 'present' | 'all';
  /** Average per-image losses instead of one loss over the batch's pixels. Default false. */
  perImage?: boolean;
}

/**
 * Lovász-softmax over probabilities [P, C] and labels [P] (no ignored pixels): the
 * per-class extensions are computed together, one column per class.
 */
function lovaszFlat(probas: Tensor, labels: Tensor, classes: 'present' | 'all'): Tensor {
  const [p, c] = probas.shape as [number, number];
  // The reference returns 0 for an image without counted pixels; so does this.
  if (p === 0) return probas.sum().mul(0);
  const fg = ops.one_hot(labels, c).to(probas.dtype);
  const { values: errors, indices: perm } = fg.sub(probas).abs().sort(0, true);
  const fgSorted = fg.gather(0, perm);
  const gts = fg.sum(0);
  const intersection = gts.sub(fgSorted.cumsum(0));
  const union = gts.add(fgSorted.neg().add(1).cumsum(0));
  const jaccard = intersection.div(union).neg().add(1);
  // Discrete gradient: the increase of the Jaccard loss each pixel brings in the sorted order.
  const grad = p > 1 ? cat([jaccard.narrow(0, 0, 1), jaccard.narrow(0, 1, p - 1).sub(jaccard.narrow(0, 0, p - 1))], 0) : jaccard;
  const perClass = errors.mul(grad).sum(0);
  if (classes === 'all') return perClass.mean();
  const present = gts.gt(0).to(perClass.dtype);
  // Mean over the present classes; 0 when none is (as the reference's empty mean).
  return perClass.mul(present).sum().div(present.sum().clamp(1));
}

/** Probabilities [P, C] and labels [P] of one batch's counted pixels. */
function countedPixels(probas: Tensor, target: Tensor, ignoreIndex: number): { probas: Tensor; labels: Tensor } {
  const c = probas.shape[1]!;
  const flat = probas.permute([0, 2, 3, 1]).reshape([-1, c]);
  const labels = target.flatten();
  const keep = labels.ne(ignoreIndex).nonzero().squeeze(1);
  return { probas: flat.indexSelect(0, keep), labels: labels.indexSelect(0, keep) };
}

/** Lovász-softmax loss from logits [N, C, H, W] and class indices [N, H, W] (int64). */
export function lovaszSoftmax(logits: Tensor, target: Tensor, opts: LovaszSoftmaxOptions = {}): Tensor {
  const loss = 'lovaszSoftmax';
  if (logits.ndim !== 4 || target.ndim !== 3 || logits.shape[0] !== target.shape[0] || logits.shape[2] !== target.shape[1] || logits.shape[3] !== target.shape[2]) {
    throw new RangeError(`${loss}: expected logits [N, C, H, W] and class indices [N, H, W], got ${fmtShape(logits.shape)} and ${fmtShape(target.shape)}`);
  }
  if (target.dtype !== 'int64') throw new TypeError(`${loss}: target must be int64 class indices, got ${target.dtype} ${fmtShape(target.shape)}`);
  const classes = opts.classes ?? 'present';
  if (classes !== 'present' && classes !== 'all') throw new RangeError(`${loss}: classes must be 'present' or 'all', got '${String(classes)}'`);
  const ignoreIndex = opts.ignoreIndex ?? 255;
  const c = logits.shape[1]!;
  const outside = target.ne(ignoreIndex).logicalAnd(target.lt(0).logicalOr(target.ge(c)));
  if (outside.any().item()) throw new RangeError(`${loss}: target holds class indices outside [0, ${c}) that are not the ignore index ${ignoreIndex}`);
  const probas = logits.softmax(1);
  if (!opts.perImage) {
    const px = countedPixels(probas, target, ignoreIndex);
    return lovaszFlat(px.probas, px.labels, classes);
  }
  const n = logits.shape[0]!;
  const perImage = Array.from({ length: n }, (_, i) => {
    const px = countedPixels(probas.narrow(0, i, 1), target.narrow(0, i, 1), ignoreIndex);
    return lovaszFlat(px.probas, px.labels, classes);
  });
  return stack(perImage).mean();
}
