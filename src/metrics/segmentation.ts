// Semantic-segmentation metrics over label masks. Pixels whose target is the ignore
// index (255 by default, as in Pascal VOC borders) count for nothing.
import { type LabelsLike, toLabels } from './inputs.js';
import { type ConfusionMatrix } from './confusion.js';

export interface SegmentationOptions { ignoreIndex?: number }
export interface SegmentationScores {
  /** Intersection over union of each class; NaN for a class absent from both target and prediction. */
  iou: number[];
  /** Mean of the defined per-class IoUs. */
  meanIoU: number;
  /** Dice (F1) of each class, 2·TP / (true + predicted pixels); NaN where both are empty. */
  dice: number[];
  /** Mean of the defined per-class Dice scores. */
  meanDice: number;
  /** Fraction of counted pixels labelled correctly. */
  pixelAccuracy: number;
  confusion: ConfusionMatrix;
}

/**
 * Accumulates a pixel confusion matrix over batches, so a whole validation set is
 * scored without keeping its masks. Masks are class-index tensors or arrays of any
 * shape (e.g. [N, H, W]); target and prediction must have the same number of pixels.
 */
export class SegmentationMeter {
  private readonly counts: Float64Array;
  private readonly ignoreIndex: number;

  constructor(readonly numClasses: number, opts: SegmentationOptions = {}) {
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`SegmentationMeter: numClasses must be a positive integer, got ${numClasses}`);
    this.counts = new Float64Array(numClasses * numClasses);
    this.ignoreIndex = opts.ignoreIndex ?? 255;
  }

  update(target: LabelsLike, pred: LabelsLike): this {
    const t = toLabels(target, 'segmentation: target');
    const p = toLabels(pred, 'segmentation: pred');
    if (t.length !== p.length) throw new RangeError(`segmentation: target has ${t.length} pixels but pred has ${p.length}`);
    const k = this.numClasses;
    for (let i = 0; i < t.length; i++) {
      const tc = t[i]!;
      if (tc === this.ignoreIndex) continue;
      const pc = p[i]!;
      if (tc < 0 || tc >= k) throw new RangeError(`segmentation: target pixel ${i} is class ${tc}, outside [0, ${k}) and not the ignore index ${this.ignoreIndex}`);
      if (pc < 0 || pc >= k) throw new RangeError(`segmentation: pred pixel ${i} is class ${pc}, outside [0, ${k})`);
      this.counts[tc * k + pc]!++;
    }
    return this;
  }

  scores(): SegmentationScores {
    return scoresFromConfusion(this.counts, this.numClasses);
  }
}

/**
 * Scores of a k×k pixel confusion matrix (rows: true class, columns: predicted), given
 * row-major; shared by SegmentationMeter and the training task's on-device accumulator.
 */
export function scoresFromConfusion(counts: ArrayLike<number>, k: number): SegmentationScores {
  if (counts.length !== k * k) throw new RangeError(`scoresFromConfusion: ${counts.length} counts for ${k} classes (expected ${k * k})`);
  const confusion = Array.from({ length: k }, (_, r) => Array.from({ length: k }, (_, c) => counts[r * k + c]!));
  let correct = 0, total = 0;
  const iou: number[] = [];
  const dice: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c]![c]!;
    let rowSum = 0, colSum = 0;
    for (let j = 0; j < k; j++) { rowSum += confusion[c]![j]!; colSum += confusion[j]![c]!; }
    const union = rowSum + colSum - tp;
    iou.push(union === 0 ? NaN : tp / union);
    dice.push(union === 0 ? NaN : (2 * tp) / (rowSum + colSum));
    correct += tp;
    total += rowSum;
  }
  return {
    iou,
    meanIoU: meanDefined(iou),
    dice,
    meanDice: meanDefined(dice),
    pixelAccuracy: total === 0 ? NaN : correct / total,
    confusion,
  };
}

function meanDefined(v: number[]): number {
  const defined = v.filter((x) => !Number.isNaN(x));
  return defined.length === 0 ? NaN : defined.reduce((a, b) => a + b, 0) / defined.length;
}

export function segmentationScores(target: LabelsLike, pred: LabelsLike, numClasses: number, opts: SegmentationOptions = {}): SegmentationScores {
  return new SegmentationMeter(numClasses, opts).update(target, pred).scores();
}
export function perClassIoU(target: LabelsLike, pred: LabelsLike, numClasses: number, opts: SegmentationOptions = {}): number[] {
  return segmentationScores(target, pred, numClasses, opts).iou;
}
export function meanIoU(target: LabelsLike, pred: LabelsLike, numClasses: number, opts: SegmentationOptions = {}): number {
  return segmentationScores(target, pred, numClasses, opts).meanIoU;
}
export function pixelAccuracy(target: LabelsLike, pred: LabelsLike, numClasses: number, opts: SegmentationOptions = {}): number {
  return segmentationScores(target, pred, numClasses, opts).pixelAccuracy;
}
