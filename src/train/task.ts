// The training contract's variable part. fit(), evaluate() and predict() run one loop for
// every kind of model; a task says what that loop computes for a batch (the outputs and
// the loss), what it measures over an epoch (streamed on the device, read back once per
// epoch) and what a prediction is. Classification, multi-label, segmentation and
// reconstruction are tasks; so are methods that change the step itself (two networks in
// co-teaching, an inner attack loop in adversarial training), which hold whatever extra
// modules they need and see the whole batch.
import type { Tensor } from '../torch/index.js';
import type { Module } from '../nn/index.js';

/** A batch as the step sees it: on the training device, inputs already transformed. */
export interface StepBatch {
  inputs: Tensor;
  targets: Tensor;
  /** Dataset indices of the batch's samples (per-sample weights, label lookups). */
  indices: Int32Array;
}

export type LossReduction = 'mean' | 'none';

/**
 * Metrics of one epoch, accumulated batch by batch without leaving the device. update()
 * runs inside the step's memory scope: an accumulator keeps its running tensors with
 * keep() and frees them in dispose().
 */
export interface EpochMetrics {
  /** Adds one batch; outputs are detached. */
  update(outputs: Tensor, batch: StepBatch): void;
  /** The epoch's values by metric name: the one read-back of the epoch. */
  compute(): Record<string, number>;
  /** The running sums as plain numbers, for a checkpoint written in the middle of an epoch. */
  stateDict(): Record<string, number>;
  loadStateDict(state: Record<string, number>): void;
  dispose(): void;
}

export interface Task {
  /** 'classification', 'multilabel', 'segmentation', 'reconstruction', ... (recorded in run files). */
  readonly name: string;
  /**
   * Names of what createMetrics().compute() returns, in display order. The loss is always
   * recorded and is not listed. Epoch logs, reports, `visionlab compare` and monitors
   * (EarlyStopping, ModelCheckpoint) use these names, prefixed with 'val_' for validation.
   */
  readonly metricNames: readonly string[];
  /** The metric that ranks runs and models when no other is named (e.g. 'accuracy'). */
  readonly primaryMetric: string;
  /** The model's outputs for a batch (a task may also use the targets, as an attack does). */
  forward(model: Module, batch: StepBatch): Tensor;
  /** Mean loss of the batch, or one loss per sample ([N]) for reduction 'none'. */
  loss(outputs: Tensor, batch: StepBatch, reduction: LossReduction): Tensor;
  /** A fresh accumulator for one pass over the data, its tensors on `device`. */
  createMetrics(device: string): EpochMetrics;
  /** What a prediction is, from outputs: class probabilities, label probabilities, a mask, an image. */
  predict(outputs: Tensor): Tensor;
  /** Hard labels from predict()'s result where the task has them (class indices per sample). */
  labels?(predictions: Tensor): Tensor;
}
