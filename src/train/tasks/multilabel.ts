// Multi-label classification: logits [N, K] against 0/1 targets [N, K] (float). Sigmoid
// probabilities are the predictions; a label is predicted where its probability passes the
// threshold, with the study's fallback to the single most likely label when none does.
// Average precision needs every score of the pass, so the metrics keep the (small) score
// and target matrices on the device and read them back once at the epoch's end.
import { type Tensor, keep, cat } from '../../torch/index.js';
import type { Module } from '../../nn/index.js';
import { binaryCrossEntropyWithLogits } from '../../nn/index.js';
import { averagePrecision, multilabelScores, type DecisionOptions } from '../../metrics/index.js';
import type { LossFunction } from '../loss.js';
import type { Task, StepBatch, EpochMetrics, LossReduction } from '../task.js';
import { type DeviceConstant, deviceConstant } from './device-constant.js';

export interface MultilabelTaskOptions extends DecisionOptions {
  numLabels: number;
  /** Default: binary cross-entropy on the logits, with posWeight and classWeights. A function gets (logits, targets, { reduction }). */
  loss?: LossFunction;
  /** BCE's pos_weight [K]: the weight of each label's positive term (e.g. negatives / positives for rare labels). */
  posWeight?: readonly number[];
  /** A weight per label on its whole BCE term, for imbalance between labels. */
  classWeights?: readonly number[];
}

/** Mean of the defined values (labels without a positive sample have no AP). */
function meanDefined(v: number[]): number {
  const d = v.filter((x) => !Number.isNaN(x));
  return d.length === 0 ? NaN : d.reduce((a, b) => a + b, 0) / d.length;
}

export class MultilabelMetrics implements EpochMetrics {
  private scores: Tensor[] = [];
  private targets: Tensor[] = [];
  /** Read back from a checkpoint written mid-epoch. */
  private restored: { scores: number[]; targets: number[] } = { scores: [], targets: [] };

  constructor(readonly numLabels: number, readonly decision: DecisionOptions) {}

  update(outputs: Tensor, batch: StepBatch): void {
    this.scores.push(keep(outputs.sigmoid().to('float32').cpu()));
    this.targets.push(keep(batch.targets.to('float32').cpu()));
  }

  /** All probabilities and targets of the pass as [N][K] rows. */
  matrices(): { scores: number[][]; targets: number[][] } {
    const k = this.numLabels;
    const flat = (parts: Tensor[], extra: number[]) => {
      const all = parts.length === 0 ? [] : Array.from(cat(parts, 0).toTypedArray() as Float32Array);
      const values = [...extra, ...all];
      return Array.from({ length: values.length / k }, (_, i) => values.slice(i * k, (i + 1) * k));
    };
    return { scores: flat(this.scores, this.restored.scores), targets: flat(this.targets, this.restored.targets) };
  }

  compute(): Record<string, number> {
    const { scores, targets } = this.matrices();
    if (scores.length === 0) return { mAP: NaN, f1_micro: NaN, f1_macro: NaN, exact_match: NaN };
    const s = multilabelScores(targets, scores, this.decision);
    return { mAP: meanDefined(averagePrecision(targets, scores)), f1_micro: s.f1Micro, f1_macro: s.f1Macro, exact_match: s.exactMatch };
  }

  stateDict(): Record<string, number> {
    const { scores, targets } = this.matrices();
    const out: Record<string, number> = { rows: scores.length };
    scores.flat().forEach((v, i) => { out[`s${i}`] = v; });
    targets.flat().forEach((v, i) => { out[`t${i}`] = v; });
    return out;
  }

  loadStateDict(state: Record<string, number>): void {
    this.dispose();
    const n = (state.rows ?? 0) * this.numLabels;
    this.restored = {
      scores: Array.from({ length: n }, (_, i) => state[`s${i}`] ?? 0), targets: Array.from({ length: n }, (_, i) => state[`t${i}`] ?? 0),
    };
  }

  dispose(): void {
    for (const t of [...this.scores, ...this.targets]) t.dispose();
    this.scores = [];
    this.targets = [];
  }
}

export class MultilabelTask implements Task {
  readonly name = 'multilabel';
  readonly metricNames = ['mAP', 'f1_micro', 'f1_macro', 'exact_match'] as const;
  readonly primaryMetric = 'mAP';
  readonly numLabels: number;
  readonly decision: DecisionOptions;
  private readonly lossFn: LossFunction | undefined;
  private readonly posWeight: DeviceConstant | undefined;
  private readonly classWeights: DeviceConstant | undefined;

  constructor(opts: MultilabelTaskOptions) {
    if (!Number.isInteger(opts?.numLabels) || opts.numLabels < 1) throw new RangeError(`MultilabelTask: numLabels must be a positive integer, got ${opts?.numLabels}`);
    this.numLabels = opts.numLabels;
    for (const key of ['posWeight', 'classWeights'] as const) {
      const w = opts[key];
      if (w !== undefined && w.length !== opts.numLabels) throw new RangeError(`MultilabelTask: ${key} has ${w.length} values for ${opts.numLabels} labels`);
    }
    this.posWeight = deviceConstant(opts.posWeight);
    this.classWeights = deviceConstant(opts.classWeights);
    this.decision = { threshold: opts.threshold ?? 0.5, fallbackTop1: opts.fallbackTop1 ?? true };
    this.lossFn = opts.loss;
  }

  forward(model: Module, batch: StepBatch): Tensor {
    const out = model.call(batch.inputs);
    if (out.ndim !== 2 || out.shape[1] !== this.numLabels) {
      throw new RangeError(`MultilabelTask: the model gives [${out.shape.join(', ')}], expected [N, ${this.numLabels}] logits`);
    }
    return out;
  }

  loss(outputs: Tensor, batch: StepBatch, reduction: LossReduction): Tensor {
    const t = batch.targets.dtype === outputs.dtype ? batch.targets : batch.targets.to(outputs.dtype);
    if (this.lossFn) return this.lossFn(outputs, t, { reduction });
    const d = outputs.device;
    const l = binaryCrossEntropyWithLogits(outputs, t, { reduction: 'none', weight: this.classWeights?.on(d) ?? null, posWeight: this.posWeight?.on(d) ?? null });
    // The mean over labels per sample, then over samples: BCE's own 'mean' over all entries.
    return reduction === 'none' ? l.mean(1) : l.mean();
  }

  createMetrics(): MultilabelMetrics {
    return new MultilabelMetrics(this.numLabels, this.decision);
  }

  predict(outputs: Tensor): Tensor {
    return outputs.sigmoid();
  }
}

export function multilabel(opts: MultilabelTaskOptions): MultilabelTask {
  return new MultilabelTask(opts);
}
