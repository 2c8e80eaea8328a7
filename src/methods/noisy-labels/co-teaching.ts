// Co-teaching (Han et al. 2018, "Co-teaching: Robust training of deep neural networks with
// extremely noisy labels"): two networks learn side by side; in every batch each one picks
// the samples it finds easiest (smallest loss) and its peer is trained on those. Networks
// fit clean labels before they memorise wrong ones, so small-loss samples are mostly
// correctly labelled, and because the two networks err differently, exchanging their
// choices keeps one network's mistakes from reinforcing themselves.
//
// The share of the batch kept is 1 - R(T) with the paper's forget-rate schedule
// R(T) = forgetRate · min(T / rampEpochs, 1): everything is kept at first and the forget
// rate reaches the (estimated) noise rate after rampEpochs. T counts epochs fractionally
// (step by step), a finer version of the paper's per-epoch steps that also suits short runs.
//
// CoTeaching is both the run's task and a callback: the callback events give it the epoch
// position and let it record per epoch the kept share and, when the true labels are known,
// the label precision of the kept samples next to that of the whole batch.
import { type Tensor, keep, zeros, tensor, tidy, cat, stack } from '../../torch/index.js';
import { Module, crossEntropy } from '../../nn/index.js';
import {
  ClassificationTask, type Task, type StepBatch, type EpochMetrics, type LossReduction, type Callback,
  type CallbackContext, type EpochLogs, type StepState,
} from '../../train/index.js';
import { LeadingLogitsMetrics } from './leading-logits-metrics.js';

/** The two networks co-teaching trains; called as a module it is the first one. */
export class CoTeachingPair extends Module {
  constructor(first: Module, second: Module) {
    super();
    if (first === second) throw new TypeError('CoTeachingPair: the two networks must be different modules (build the second one separately)');
    this.registerModule('first', first);
    this.registerModule('second', second);
  }

  get first(): Module { return this.getSubmodule('first') as Module; }
  get second(): Module { return this.getSubmodule('second') as Module; }

  override forward(x: Tensor): Tensor {
    return this.first.call(x) as Tensor;
  }
}

export interface CoTeachingOptions {
  /** The forget rate the schedule reaches: the share of each batch left out (the noise rate, or an estimate). */
  forgetRate: number;
  /** Epochs over which the forget rate grows from 0 to forgetRate (the paper's T_k, default 10). */
  rampEpochs?: number;
  /** Per training sample (by dataset index), whether its label is correct: enables the label-precision record. */
  labelIsCorrect?: ArrayLike<boolean | number>;
}

/** The share of a batch dropped at (fractional) epoch t. */
export function coTeachingForgetRate(t: number, forgetRate: number, rampEpochs: number): number {
  return forgetRate * Math.min(Math.max(t, 0) / rampEpochs, 1);
}

export class CoTeaching implements Task, Callback {
  readonly name = 'classification';
  readonly metricNames = ['accuracy'] as const;
  readonly primaryMetric = 'accuracy';
  private readonly base = new ClassificationTask();
  private readonly rampEpochs: number;
  private readonly correct: Float32Array | undefined;
  private correctOnDevice: Tensor | undefined;
  /** Fractional epoch of the current step. */
  private position = 0;
  private classes: number | undefined;
  /** An epoch's kept and seen samples, and (on the device) the correct labels among them. */
  private kept = 0;
  private seen = 0;
  private correctSums: Tensor | undefined;

  constructor(readonly opts: CoTeachingOptions) {
    if (!(opts.forgetRate >= 0 && opts.forgetRate < 1)) throw new RangeError(`CoTeaching: forgetRate must be in [0, 1), got ${opts.forgetRate}`);
    this.rampEpochs = opts.rampEpochs ?? 10;
    if (!(this.rampEpochs > 0)) throw new RangeError(`CoTeaching: rampEpochs must be positive, got ${opts.rampEpochs}`);
    this.correct = opts.labelIsCorrect ? Float32Array.from(opts.labelIsCorrect, (v) => (v ? 1 : 0)) : undefined;
  }

  /** The share of each batch kept for the peer at the current step. */
  get keepRate(): number {
    return 1 - coTeachingForgetRate(this.position, this.opts.forgetRate, this.rampEpochs);
  }

  /** In training both networks run and their logits sit side by side [N, 2K]; otherwise the first one's [N, K]. */
  forward(model: Module, batch: StepBatch): Tensor {
    if (!(model instanceof CoTeachingPair)) throw new TypeError(`CoTeaching: trains a CoTeachingPair, got ${model.constructor.name}`);
    const a = model.first.call(batch.inputs) as Tensor;
    this.classes = a.shape[1];
    if (!model.training) return a;
    return cat([a, model.second.call(batch.inputs) as Tensor], 1);
  }

  loss(outputs: Tensor, batch: StepBatch, reduction: LossReduction): Tensor {
    const k = this.classes;
    if (k === undefined || outputs.shape[1] !== 2 * k) return this.base.loss(outputs, batch, reduction);
    if (reduction === 'none') throw new Error('CoTeaching: the loss of a co-teaching step is not per sample (each network learns from a different subset)');
    return tidy(() => {
      const n = outputs.shape[0]!;
      const a = outputs.narrow(1, 0, k), b = outputs.narrow(1, k, k);
      const la = crossEntropy(a, batch.targets, { reduction: 'none' });
      const lb = crossEntropy(b, batch.targets, { reduction: 'none' });
      const kept = Math.max(1, Math.round(this.keepRate * n));
      // Each network's small-loss choice; the peer learns from it.
      const chosenByA = la.detach().topk(kept, 0, false, false).indices;
      const chosenByB = lb.detach().topk(kept, 0, false, false).indices;
      this.record(batch, chosenByA, n, kept, outputs.device);
      return la.indexSelect(0, chosenByB).mean().add(lb.indexSelect(0, chosenByA).mean());
    });
  }

  private record(batch: StepBatch, chosen: Tensor, n: number, kept: number, device: string): void {
    this.kept += kept;
    this.seen += n;
    if (!this.correct || !this.correctSums) return;
    if (this.correctOnDevice?.device !== device) {
      this.correctOnDevice?.dispose();
      this.correctOnDevice = keep(tensor(this.correct).to(device));
    }
    const inBatch = this.correctOnDevice.indexSelect(0, tensor(batch.indices).long().to(device));
    this.correctSums.add_(stack([inBatch.indexSelect(0, chosen).sum(), inBatch.sum()]).to('float64'));
  }

  createMetrics(device: string): EpochMetrics {
    return new LeadingLogitsMetrics(this.base.createMetrics(device), () => this.classes);
  }

  predict(outputs: Tensor): Tensor { return this.base.predict(outputs); }
  labels(predictions: Tensor): Tensor { return this.base.labels(predictions); }

  onEpochBegin(epoch: number, _logs: unknown, ctx: CallbackContext): void {
    this.position = epoch;
    this.kept = this.seen = 0;
    this.correctSums?.dispose();
    if (this.correct) this.correctSums = keep(zeros([2], { dtype: 'float64', device: ctx.model.parameters()[0]?.device ?? 'cpu' }));
  }

  afterForward(state: StepState, ctx: CallbackContext): void {
    this.position = state.epoch + state.batch / Math.max(1, ctx.stepsPerEpoch);
  }

  onEpochEnd(_epoch: number, logs: EpochLogs): void {
    if (this.seen === 0) return;
    logs.coteach_kept = this.kept / this.seen;
    if (this.correctSums) {
      const [keptCorrect, seenCorrect] = this.correctSums.toFlatArray() as number[] as [number, number];
      logs.coteach_label_precision = this.kept ? keptCorrect / this.kept : NaN;
      logs.coteach_batch_precision = seenCorrect / this.seen;
    }
  }

  onTrainEnd(): void {
    this.correctSums?.dispose();
    this.correctSums = undefined;
    this.correctOnDevice?.dispose();
    this.correctOnDevice = undefined;
  }
}
