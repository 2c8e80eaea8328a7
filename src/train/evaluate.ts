// Evaluation and prediction over a task: eval mode for the duration, the model's previous
// train/eval flags restored afterwards (module by module, so a backbone frozen in eval mode
// stays so). Each batch runs in inference mode (no autograd bookkeeping at all) and in the
// training precision, its inputs in the model's memory format.
import { type Tensor, tidy, keep, inferenceMode, cat, zeros, isFloatingDType } from '../torch/index.js';
import type { Module } from '../nn/index.js';
import type { DataLoader, Batch } from '../data/index.js';
import type { LossSpec } from './loss.js';
import type { Task, StepBatch } from './task.js';
import { resolveTask } from './tasks/resolve.js';
import { resolvePrecision, inPrecision, asFloat32, type Precision, type ResolvedPrecision } from './precision.js';
import { inModelFormat } from './memory-format.js';

export interface EvaluateOptions {
  /** What to compute and measure. Default: classification with `loss`. */
  task?: Task;
  /** Loss of the default classification task. */
  loss?: LossSpec;
  device?: string;
  /** Also return the task's predictions for every sample (the caller owns the tensor). */
  probs?: boolean;
  /** The precision of the forward pass (default 'auto', as fit()'s). */
  precision?: Precision;
}

export interface EvaluateResult {
  loss: number;
  /** The task's metrics by name (task.metricNames). */
  metrics: Record<string, number>;
  /** metrics.accuracy, NaN for tasks without one. */
  accuracy: number;
  /** True classes and predicted labels (empty unless the task has labels and the targets are class indices). */
  yTrue: Int32Array;
  yPred: Int32Array;
  /** The task's predictions (class probabilities for classification), with `probs: true`. */
  probs?: Tensor;
}

/** Runs fn with the model in eval mode, then puts every module back in its previous mode. */
export async function inEvalMode<T>(model: Module, fn: () => Promise<T>): Promise<T> {
  const modes = model.modules().map((m) => [m, m.training] as const);
  model.eval();
  try {
    return await fn();
  } finally {
    for (const [m, training] of modes) m.training = training;
  }
}

function onDevice(t: Tensor, device: string | undefined): Tensor {
  return device && t.device !== device ? t.to(device) : t;
}

/** The task's outputs for a batch in the given precision, as float32. */
function forwardIn(precision: ResolvedPrecision, device: string, task: Task, model: Module, batch: StepBatch): Tensor {
  return asFloat32(inPrecision(precision, device, () => task.forward(model, batch)));
}

/** Summed loss of a batch, from a loss that honours reduction 'none' or one that only averages. */
function summedLoss(task: Task, outputs: Tensor, batch: StepBatch): Tensor {
  const l = task.loss(outputs, batch, 'none');
  const n = batch.targets.shape[0]!;
  return l.numel() === 1 && n !== 1 ? l.mul(n) : l.sum();
}

async function* batchesOf(data: DataLoader): AsyncGenerator<Batch> {
  // Evaluation does not advance the loader's epoch counter, so it cannot shift a
  // training loader's shuffling and always sees the same (epoch-0) augmentation.
  yield* data.iterate(0);
}

export async function evaluate(model: Module, data: DataLoader, opts: EvaluateOptions = {}): Promise<EvaluateResult> {
  const task = resolveTask(opts);
  const device = opts.device ?? model.parameters()[0]?.device ?? 'cpu';
  const { precision } = resolvePrecision(opts.precision, device);
  return inEvalMode(model, async () => {
    const lossSum = keep(zeros([], { dtype: 'float64', device }));
    const metrics = task.createMetrics(device);
    const preds: Tensor[] = [];
    const trues: Tensor[] = [];
    const probs: Tensor[] = [];
    let seen = 0;
    let classIndices = typeof task.labels === 'function';
    try {
      for await (const raw of batchesOf(data)) {
        try {
          inferenceMode(() => tidy(() => {
            const batch: StepBatch = { inputs: inModelFormat(onDevice(raw.inputs, device), model), targets: onDevice(raw.targets, device), indices: raw.indices };
            const outputs = forwardIn(precision, device, task, model, batch);
            lossSum.add_(summedLoss(task, outputs, batch).to('float64'));
            metrics.update(outputs, batch);
            const y = batch.targets;
            const wantLabels = classIndices && !isFloatingDType(y.dtype) && y.ndim === 1;
            if (wantLabels || opts.probs) {
              const p = task.predict(outputs);
              if (wantLabels) {
                preds.push(keep(task.labels!(p).to('int32').to('cpu')));
                trues.push(keep(y.to('int32').to('cpu')));
              }
              if (opts.probs) probs.push(keep(p.to('cpu')));
            }
            if (!wantLabels) classIndices = false;
            seen += y.shape[0]!;
          }));
        } finally {
          raw.inputs.dispose();
          raw.targets.dispose();
        }
      }
      if (seen === 0) throw new Error('evaluate: the data loader yielded no batches');
      const join = (ts: Tensor[]) => tidy(() => Int32Array.from(cat(ts).toTypedArray() as Int32Array));
      const values = metrics.compute();
      const result: EvaluateResult = {
        loss: lossSum.item() / seen,
        metrics: values,
        accuracy: values.accuracy ?? NaN,
        yTrue: classIndices && trues.length ? join(trues) : new Int32Array(0),
        yPred: classIndices && preds.length ? join(preds) : new Int32Array(0),
      };
      if (opts.probs) result.probs = keep(cat(probs));
      return result;
    } finally {
      for (const t of [lossSum, ...preds, ...trues, ...probs]) t.dispose();
      metrics.dispose();
    }
  });
}

export interface PredictOptions {
  batchSize?: number;
  device?: string;
  /** What a prediction is. Default: classification (softmax probabilities). */
  task?: Task;
  /** The precision of the forward pass (default 'auto'). */
  precision?: Precision;
}

export interface PredictResult {
  /** The task's predictions for every input, on the CPU (class probabilities [N, C] for classification). */
  probs: Tensor;
  /** Hard labels per input where the task has them (argmax class for classification). */
  labels: Int32Array;
}

/** The task's predictions for every input, batch by batch, and their labels. */
export async function predict(model: Module, input: Tensor | DataLoader, opts: PredictOptions = {}): Promise<PredictResult> {
  const batchSize = opts.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`predict: batchSize must be a positive integer, got ${batchSize}`);
  const task = resolveTask(opts);
  const device = opts.device ?? model.parameters()[0]?.device ?? 'cpu';
  const { precision } = resolvePrecision(opts.precision, device);
  return inEvalMode(model, async () => {
    const parts: Tensor[] = [];
    const run = (x: Tensor, indices: Int32Array) => parts.push(keep(inferenceMode(() => tidy(() => {
      const inputs = inModelFormat(onDevice(x, device), model);
      // Prediction has no targets: the task's forward sees an empty stand-in.
      const batch: StepBatch = { inputs, targets: zeros([0], { device: inputs.device }), indices };
      return task.predict(forwardIn(precision, device, task, model, batch)).to('cpu');
    }))));
    try {
      if (isTensor(input)) {
        if (input.ndim < 2) throw new RangeError(`predict: input must be batched [N, ...], got shape [${input.shape}]`);
        const n = input.shape[0]!;
        for (let i = 0; i < n; i += batchSize) {
          const m = Math.min(batchSize, n - i);
          const x = input.narrow(0, i, m);
          try {
            run(isFloatingDType(x.dtype) ? x : x.to('float32').div(255), Int32Array.from({ length: m }, (_, k) => i + k));
          } finally { x.dispose(); }
        }
      } else {
        for await (const batch of batchesOf(input)) {
          try { run(batch.inputs, batch.indices); } finally { batch.inputs.dispose(); batch.targets.dispose(); }
        }
      }
      if (parts.length === 0) throw new Error('predict: no inputs');
      const probs = keep(cat(parts));
      const labels = task.labels
        ? tidy(() => Int32Array.from(task.labels!(probs).to('int32').toTypedArray() as Int32Array))
        : new Int32Array(0);
      return { probs, labels };
    } finally {
      for (const t of parts) t.dispose();
    }
  });
}

function isTensor(x: unknown): x is Tensor {
  return typeof (x as Tensor)?.narrow === 'function' && typeof (x as Tensor)?.shape !== 'undefined' && !(Symbol.asyncIterator in (x as object));
}
