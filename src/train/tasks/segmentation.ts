// Semantic segmentation: logits [N, C, H, W] against class masks [N, H, W] (int64, the
// ignore index on pixels that count for nothing, like VOC's object outlines). The pixel
// confusion matrix accumulates on the device (one bincount per batch) and gives mIoU,
// pixel accuracy and Dice at the epoch's end; predictions are class probabilities per
// pixel and their argmax is the mask.
import { type Tensor, keep, zeros, tensor, ops } from '../../torch/index.js';
import type { Module } from '../../nn/index.js';
import { crossEntropy } from '../../nn/index.js';
import { scoresFromConfusion, type SegmentationScores } from '../../metrics/index.js';
import type { LossFunction } from '../loss.js';
import type { Task, StepBatch, EpochMetrics, LossReduction } from '../task.js';
import { type DeviceConstant, deviceConstant } from './device-constant.js';
import { type SegmentationLossName, SEGMENTATION_LOSSES, segmentationLossFunction } from './segmentation-loss.js';

export interface SegmentationTaskOptions {
  numClasses: number;
  /** Target value of pixels left out of the loss and the metrics. Default 255. */
  ignoreIndex?: number;
  /** Default: cross-entropy over the counted pixels (with classWeights). A function gets (logits, masks, { reduction, weight }). */
  loss?: LossFunction;
  classWeights?: readonly number[];
  /** A built-in loss by name instead of a function (default 'cross-entropy'); classWeights become Dice's class weights and focal's alpha. */
  segmentationLoss?: SegmentationLossName;
}

export class ConfusionMetrics implements EpochMetrics {
  private counts: Tensor;

  constructor(readonly numClasses: number, readonly ignoreIndex: number, device: string) {
    this.counts = keep(zeros([numClasses * numClasses], { dtype: 'float64', device }));
  }

  update(outputs: Tensor, batch: StepBatch): void {
    const k = this.numClasses;
    const target = batch.targets.flatten();
    const pred = outputs.argmax(1).flatten();
    if (target.numel() !== pred.numel()) {
      throw new RangeError(`segmentation metrics: outputs [${outputs.shape.join(', ')}] do not match masks [${batch.targets.shape.join(', ')}]`);
    }
    const counted = target.ne(this.ignoreIndex);
    const cell = target.maskedSelect(counted).mul(k).add(pred.maskedSelect(counted));
    this.counts.add_(ops.bincount(cell, null, k * k).to('float64'));
  }

  /** Everything the epoch's confusion matrix says, including per-class IoU and Dice. */
  scores(): SegmentationScores {
    return scoresFromConfusion(this.counts.toTypedArray() as Float64Array, this.numClasses);
  }

  compute(): Record<string, number> {
    const s = this.scores();
    return { mIoU: s.meanIoU, pixel_accuracy: s.pixelAccuracy, dice: s.meanDice };
  }

  stateDict(): Record<string, number> {
    const c = this.counts.toTypedArray() as Float64Array;
    return Object.fromEntries(Array.from(c, (v, i) => [`c${i}`, v]));
  }

  loadStateDict(state: Record<string, number>): void {
    const k2 = this.numClasses * this.numClasses;
    const values = Float64Array.from({ length: k2 }, (_, i) => state[`c${i}`] ?? 0);
    this.counts.copy_(tensor(values).to(this.counts.device));
  }

  dispose(): void {
    this.counts.dispose();
  }
}

export class SegmentationTask implements Task {
  readonly name = 'segmentation';
  readonly metricNames = ['mIoU', 'pixel_accuracy', 'dice'] as const;
  readonly primaryMetric = 'mIoU';
  readonly numClasses: number;
  readonly ignoreIndex: number;
  private readonly lossFn: LossFunction | undefined;
  private readonly classWeights: DeviceConstant | undefined;

  constructor(opts: SegmentationTaskOptions) {
    if (!Number.isInteger(opts?.numClasses) || opts.numClasses < 1) throw new RangeError(`SegmentationTask: numClasses must be a positive integer, got ${opts?.numClasses}`);
    this.numClasses = opts.numClasses;
    this.ignoreIndex = opts.ignoreIndex ?? 255;
    if (opts.classWeights && opts.classWeights.length !== opts.numClasses) {
      throw new RangeError(`SegmentationTask: ${opts.classWeights.length} class weights for ${opts.numClasses} classes`);
    }
    const named = opts.segmentationLoss ?? 'cross-entropy';
    if (!(SEGMENTATION_LOSSES as readonly string[]).includes(named)) {
      throw new RangeError(`SegmentationTask: segmentationLoss must be one of ${SEGMENTATION_LOSSES.join(', ')}, got '${String(named)}'`);
    }
    if (opts.loss && opts.segmentationLoss) throw new RangeError('SegmentationTask: give either loss (a function) or segmentationLoss (a name), not both');
    this.lossFn = opts.loss ?? (named === 'cross-entropy' ? undefined : segmentationLossFunction(named, this.ignoreIndex, opts.classWeights));
    // The named losses take the class weights themselves; cross-entropy and a loss function get them as a tensor.
    this.classWeights = opts.loss || named === 'cross-entropy' ? deviceConstant(opts.classWeights) : undefined;
  }

  forward(model: Module, batch: StepBatch): Tensor {
    const out = model.call(batch.inputs);
    if (out.ndim !== 4 || out.shape[1] !== this.numClasses) {
      throw new RangeError(`SegmentationTask: the model gives [${out.shape.join(', ')}], expected [N, ${this.numClasses}, H, W] logits`);
    }
    return out;
  }

  loss(outputs: Tensor, batch: StepBatch, reduction: LossReduction): Tensor {
    const weight = this.classWeights?.on(outputs.device) ?? null;
    if (this.lossFn) return this.lossFn(outputs, batch.targets, { reduction, weight });
    if (reduction === 'mean') return crossEntropy(outputs, batch.targets, { ignoreIndex: this.ignoreIndex, weight });
    // One loss per image: the mean over its counted pixels.
    const perPixel = crossEntropy(outputs, batch.targets, { ignoreIndex: this.ignoreIndex, weight, reduction: 'none' }).flatten(1);
    const counted = batch.targets.ne(this.ignoreIndex).flatten(1).to(perPixel.dtype);
    return perPixel.sum(1).div(counted.sum(1).clamp(1));
  }

  createMetrics(device: string): ConfusionMetrics {
    return new ConfusionMetrics(this.numClasses, this.ignoreIndex, device);
  }

  predict(outputs: Tensor): Tensor {
    return outputs.softmax(1);
  }

  /** The class mask [N, H, W] of predict()'s probabilities. */
  labels(predictions: Tensor): Tensor {
    return predictions.argmax(1);
  }
}

export function segmentation(opts: SegmentationTaskOptions): SegmentationTask {
  return new SegmentationTask(opts);
}
