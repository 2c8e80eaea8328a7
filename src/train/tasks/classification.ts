// Single-label classification: logits [N, C] against class indices [N], a loss over the
// logits (cross-entropy by default, with optional class weights), accuracy counted on the
// device, softmax probabilities as predictions and their argmax as labels.
import { type Tensor, keep, zeros, isFloatingDType } from '../../torch/index.js';
import { type DeviceConstant, deviceConstant } from './device-constant.js';
import type { Module } from '../../nn/index.js';
import { resolveLoss, type LossSpec, type LossFunction } from '../loss.js';
import type { Task, StepBatch, EpochMetrics, LossReduction } from '../task.js';

export interface ClassificationTaskOptions {
  /** Default: cross-entropy. */
  loss?: LossSpec;
  /** Per-class loss weights [C] (cross-entropy), e.g. from computeClassWeights('balanced', ...). */
  classWeights?: Tensor | readonly number[];
}

/** Correct predictions and their count as running scalar tensors. */
class AccuracyMetrics implements EpochMetrics {
  private correct: Tensor;
  private count = 0;

  constructor(device: string) {
    this.correct = keep(zeros([], { dtype: 'float64', device }));
  }

  update(outputs: Tensor, batch: StepBatch): void {
    const y = batch.targets;
    // Class indices [N] against logits [N, C]; 0/1 targets of the logits' shape (a loss
    // such as 'bce-with-logits' used for one-vs-rest) count per label.
    if (!isFloatingDType(y.dtype) && outputs.ndim === y.ndim + 1) {
      this.correct.add_(outputs.argmax(1).eq(y).sum());
      this.count += y.numel();
    } else if (isFloatingDType(y.dtype) && outputs.shape.length === y.shape.length && outputs.shape.every((d, i) => d === y.shape[i])) {
      this.correct.add_(outputs.gt(0).eq(y.gt(0.5)).sum());
      this.count += y.numel();
    }
  }

  compute(): Record<string, number> {
    return { accuracy: this.count > 0 ? this.correct.item() / this.count : NaN };
  }

  stateDict(): Record<string, number> {
    return { correct: this.correct.item(), count: this.count };
  }

  loadStateDict(state: Record<string, number>): void {
    this.correct.fill_(state.correct ?? 0);
    this.count = state.count ?? 0;
  }

  dispose(): void {
    this.correct.dispose();
  }
}

export class ClassificationTask implements Task {
  readonly name = 'classification';
  readonly metricNames = ['accuracy'] as const;
  readonly primaryMetric = 'accuracy';
  readonly lossName: string;
  private readonly lossFn: LossFunction;
  /** The class weights, moved to the loss's device once. */
  private readonly classWeights: DeviceConstant | undefined;

  constructor(opts: ClassificationTaskOptions = {}) {
    const { fn, name } = resolveLoss(opts.loss, 'ClassificationTask');
    this.lossFn = fn;
    this.lossName = name;
    this.classWeights = deviceConstant(opts.classWeights);
  }

  forward(model: Module, batch: StepBatch): Tensor {
    return model.call(batch.inputs);
  }

  loss(outputs: Tensor, batch: StepBatch, reduction: LossReduction): Tensor {
    return this.lossFn(outputs, batch.targets, { reduction, weight: this.classWeights?.on(outputs.device) ?? null });
  }

  createMetrics(device: string): EpochMetrics {
    return new AccuracyMetrics(device);
  }

  predict(outputs: Tensor): Tensor {
    return outputs.softmax(1);
  }

  labels(predictions: Tensor): Tensor {
    return predictions.argmax(1);
  }
}

/** The task fit(), evaluate() and predict() use when none is given. */
export function classification(opts: ClassificationTaskOptions = {}): ClassificationTask {
  return new ClassificationTask(opts);
}
