// Evaluation and prediction: eval mode and no autograd for the duration, the model's
// previous train/eval flags restored afterwards (module by module, so a backbone frozen
// in eval mode stays so).
import { type Tensor, tidy, keep, noGrad, cat, zeros, isFloatingDType } from '../torch/index.js';
import type { Module } from '../nn/index.js';
import type { DataLoader, Batch } from '../data/index.js';
import { resolveLoss, type LossSpec, type LossFunction } from './loss.js';
import { correctCount } from './batch-accuracy.js';

export interface EvaluateOptions {
  loss?: LossSpec;
  device?: string;
  /** Also return the softmax probabilities [N, C] (the caller owns the tensor). */
  probs?: boolean;
}

export interface EvaluateResult {
  loss: number;
  accuracy: number;
  /** True classes and argmax predictions (empty when the targets are not class indices). */
  yTrue: Int32Array;
  yPred: Int32Array;
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

/** Summed loss of a batch, from a loss that honours reduction 'none' or one that only averages. */
function summedLoss(fn: LossFunction, logits: Tensor, targets: Tensor): Tensor {
  const l = fn(logits, targets, { reduction: 'none' });
  return l.numel() === 1 && logits.shape[0] !== 1 ? l.mul(logits.shape[0]!) : l.sum();
}

async function* batchesOf(data: DataLoader): AsyncGenerator<Batch> {
  // Evaluation does not advance the loader's epoch counter, so it cannot shift a
  // training loader's shuffling and always sees the same (epoch-0) augmentation.
  yield* data.iterate(0);
}

export async function evaluate(model: Module, data: DataLoader, opts: EvaluateOptions = {}): Promise<EvaluateResult> {
  const { fn } = resolveLoss(opts.loss, 'evaluate');
  return inEvalMode(model, async () => {
    const lossSum = keep(zeros([], { dtype: 'float64', device: opts.device ?? 'cpu' }));
    const correct = keep(zeros([], { dtype: 'float64', device: opts.device ?? 'cpu' }));
    const preds: Tensor[] = [];
    const trues: Tensor[] = [];
    const probs: Tensor[] = [];
    let seen = 0;
    let counted = 0;
    let classIndices = true;
    try {
      for await (const batch of batchesOf(data)) {
        try {
          noGrad(() => tidy(() => {
            const x = onDevice(batch.inputs, opts.device);
            const y = onDevice(batch.targets, opts.device);
            const logits = model.call(x) as Tensor;
            lossSum.add_(summedLoss(fn, logits, y).detach().to('float64').to(lossSum.device));
            const c = correctCount(logits, y);
            if (c) {
              correct.add_(c.correct.to('float64').to(correct.device));
              counted += c.count;
            }
            if (!isFloatingDType(y.dtype) && logits.ndim === 2 && y.ndim === 1) {
              preds.push(keep(logits.argmax(1).to('int32').to('cpu')));
              trues.push(keep(y.to('int32').to('cpu')));
            } else {
              classIndices = false;
            }
            if (opts.probs) probs.push(keep(logits.softmax(1).to('cpu')));
            seen += y.shape[0]!;
          }));
        } finally {
          batch.inputs.dispose();
          batch.targets.dispose();
        }
      }
      if (seen === 0) throw new Error('evaluate: the data loader yielded no batches');
      const join = (ts: Tensor[]) => tidy(() => Int32Array.from(cat(ts).toTypedArray() as Int32Array));
      const result: EvaluateResult = {
        loss: lossSum.item() / seen,
        accuracy: counted > 0 ? correct.item() / counted : NaN,
        yTrue: classIndices && trues.length ? join(trues) : new Int32Array(0),
        yPred: classIndices && preds.length ? join(preds) : new Int32Array(0),
      };
      if (opts.probs) result.probs = keep(cat(probs));
      return result;
    } finally {
      for (const t of [lossSum, correct, ...preds, ...trues, ...probs]) t.dispose();
    }
  });
}

export interface PredictOptions { batchSize?: number; device?: string }

/** Softmax probabilities [N, C] (on the CPU) and argmax labels of every input. */
export async function predict(model: Module, input: Tensor | DataLoader, opts: PredictOptions = {}): Promise<{ probs: Tensor; labels: Int32Array }> {
  const batchSize = opts.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`predict: batchSize must be a positive integer, got ${batchSize}`);
  return inEvalMode(model, async () => {
    const parts: Tensor[] = [];
    const run = (x: Tensor) => parts.push(keep(noGrad(() => tidy(() => (model.call(onDevice(x, opts.device)) as Tensor).softmax(1).to('cpu')))));
    try {
      if (isTensor(input)) {
        if (input.ndim < 2) throw new RangeError(`predict: input must be batched [N, ...], got shape [${input.shape}]`);
        const n = input.shape[0]!;
        for (let i = 0; i < n; i += batchSize) {
          const x = input.narrow(0, i, Math.min(batchSize, n - i));
          try { run(isFloatingDType(x.dtype) ? x : x.to('float32').div(255)); } finally { x.dispose(); }
        }
      } else {
        for await (const batch of batchesOf(input)) {
          try { run(batch.inputs); } finally { batch.inputs.dispose(); batch.targets.dispose(); }
        }
      }
      if (parts.length === 0) throw new Error('predict: no inputs');
      const probs = keep(cat(parts));
      const labels = tidy(() => Int32Array.from(probs.argmax(1).to('int32').toTypedArray() as Int32Array));
      return { probs, labels };
    } finally {
      for (const t of parts) t.dispose();
    }
  });
}

function isTensor(x: unknown): x is Tensor {
  return typeof (x as Tensor)?.narrow === 'function' && typeof (x as Tensor)?.shape !== 'undefined' && !(Symbol.asyncIterator in (x as object));
}
