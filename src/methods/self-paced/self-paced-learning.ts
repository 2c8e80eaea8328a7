// Self-paced learning as a training callback: each step's objective becomes the weighted
// mean of the per-sample losses, the weights v in [0, 1] computed on the device from the
// current losses and lambda (see weightings.ts). Samples with a loss above lambda are left
// out; lambda grows with the epochs (pace.ts) so that training starts from the easy
// samples and admits harder ones as it goes. Because wrongly labelled samples keep a high
// loss for long, they are admitted last, which is what makes the method robust to label
// noise.
//
// With the growth pace lambda is a number per epoch. With the fraction pace it is set in
// every batch, on the device, as the quantile of that batch's losses at the epoch's target
// fraction: a lambda taken from the previous epoch's losses goes stale when the loss level
// moves (a one-cycle schedule's peak learning rate raised the losses and a stale lambda
// then admitted most of the wrongly labelled samples).
//
// Every weighting is a function of l / lambda (for the mixture lambda' = r·lambda), so the
// weights are computed in units of lambda, which also lets lambda stay a tensor.
//
// Every sample's latest loss is kept on the device and read back once per epoch, to record
// per epoch lambda, the admitted fraction, a histogram of the weights and (when the true
// labels are known) the label precision of the admitted samples: the share of them whose
// given label is correct.
import { type Tensor, keep, full, zeros, tensor, tidy, ops } from '../../torch/index.js';
import { weightedMean } from '../../nn/index.js';
import type { Callback, CallbackContext, StepState, EpochLogs } from '../../train/index.js';
import { selfPacedWeights, type SelfPacedWeighting } from './weightings.js';
import { type SelfPacedPace, checkPace, admittedFraction, lossQuantile } from './pace.js';

export interface SelfPacedOptions {
  weighting: SelfPacedWeighting;
  pace: SelfPacedPace;
  /** Samples in the training dataset (the loader's indices address them). */
  datasetSize: number;
  /** Plain epochs before the weighting starts (default 0; at least 1 when lambda is not given). */
  warmupEpochs?: number;
  /** mixture: lambda' = mixtureRatio · lambda (default 0.5). */
  mixtureRatio?: number;
  /** Per training sample, whether its label is correct: enables the label-precision record. */
  labelIsCorrect?: ArrayLike<boolean | number>;
  /** Bins of the weight histogram over [0, 1] (default 10). */
  histogramBins?: number;
}

export interface SelfPacedEpochRecord {
  epoch: number;
  /** Lambda the epoch trained with; NaN for a plain (warm-up) epoch. */
  lambda: number;
  /** Share of samples with a weight above 0. */
  admitted: number;
  /** Share of admitted samples whose label is correct (when labelIsCorrect was given). */
  labelPrecision?: number;
  /** Mean weight over the samples. */
  meanWeight: number;
  /** Counts of weights per bin of [0, 1]; weight 1 falls in the last bin. */
  histogram: number[];
}

/**
 * The logarithmic weighting needs lambda < 1 (zeta = 1 - lambda > 0), but cross-entropy
 * losses, and a lambda that admits a share of them, are often above 1. A loss's scale is
 * arbitrary (a constant factor does not change what the network learns), so its weights
 * are those of the formula with lambda = LOG_LAMBDA on l · LOG_LAMBDA / lambda: samples
 * with l < lambda are admitted, with weights falling from 1 at l = 0 to 0 at l = lambda
 * along the curve of zeta = 1 - LOG_LAMBDA.
 */
const LOG_LAMBDA = 0.5;

export class SelfPacedLearning implements Callback {
  readonly needsSampleLosses = true;
  readonly records: SelfPacedEpochRecord[] = [];
  /** The growth pace's lambda. */
  private lambda: number | undefined;
  /** The fraction pace's share of each batch admitted this epoch. */
  private fraction: number | undefined;
  /** Sum of this epoch's batch lambdas (fraction pace), on the device. */
  private lambdaSum: Tensor | undefined;
  private lambdaBatches = 0;
  private latest: Tensor | undefined;
  private totalEpochs = 0;
  private readonly who = 'SelfPacedLearning';

  constructor(readonly opts: SelfPacedOptions) {
    checkPace(opts.pace, this.who);
    if (!Number.isInteger(opts.datasetSize) || opts.datasetSize < 1) throw new RangeError(`${this.who}: datasetSize must be a positive integer, got ${opts.datasetSize}`);
    const warm = opts.warmupEpochs ?? 0;
    if (!Number.isInteger(warm) || warm < 0) throw new RangeError(`${this.who}: warmupEpochs must be a non-negative integer, got ${warm}`);
    const ratio = opts.mixtureRatio ?? 0.5;
    if (!(ratio > 0 && ratio < 1)) throw new RangeError(`${this.who}: mixtureRatio must be in (0, 1), got ${ratio}`);
    if (opts.labelIsCorrect && opts.labelIsCorrect.length !== opts.datasetSize) {
      throw new RangeError(`${this.who}: labelIsCorrect has ${opts.labelIsCorrect.length} entries for ${opts.datasetSize} samples`);
    }
    if (opts.pace.kind === 'growth' && opts.pace.lambda !== undefined) this.lambda = opts.pace.lambda;
  }

  /** The growth pace's lambda for the coming (or current) epoch; undefined before it is known. */
  get currentLambda(): number | undefined { return this.lambda; }

  onTrainBegin(_logs: unknown, ctx: CallbackContext): void {
    this.latest?.dispose();
    this.totalEpochs = ctx.epochs;
    const device = ctx.model.parameters()[0]?.device ?? 'cpu';
    // NaN marks samples not seen yet (a loader that drops the last batch, a resumed epoch).
    this.latest = keep(full([this.opts.datasetSize], NaN, { dtype: 'float32', device }));
  }

  /** Whether the epoch weights its samples (false in warm-up, or before lambda is known). */
  private weighted(epoch: number): boolean {
    if (epoch < (this.opts.warmupEpochs ?? 0)) return false;
    return this.opts.pace.kind === 'fraction' ? this.fraction !== undefined : this.lambda !== undefined;
  }

  /** The weighting's v for losses l at lambda (a number, or a 0-d tensor on the losses' device). */
  private weights(losses: Tensor, lambda: number | Tensor): Tensor {
    return tidy(() => {
      const u = losses.detach().div(lambda);
      switch (this.opts.weighting) {
        case 'logarithmic': return selfPacedWeights('logarithmic', u.mul(LOG_LAMBDA), { lambda: LOG_LAMBDA });
        case 'mixture': return selfPacedWeights('mixture', u, { lambda: 1, lambdaLow: this.opts.mixtureRatio ?? 0.5 });
        default: return selfPacedWeights(this.opts.weighting, u, { lambda: 1 });
      }
    });
  }

  /** The batch's lambda under the fraction pace: just above its share `fraction` of smallest losses. */
  private batchLambda(losses: Tensor): Tensor {
    const n = losses.shape[0]!;
    const sorted = losses.detach().sort(0).values;
    const k = Math.min(n, Math.max(1, Math.ceil(this.fraction! * n)));
    const kth = sorted.narrow(0, k - 1, 1);
    // Midway to the next loss, so that "l < lambda" admits the k-th; past the largest, a little above it.
    return (k < n ? kth.add(sorted.narrow(0, k, 1)).div(2) : kth.mul(1 + 1e-6).add(1e-12)).reshape([]);
  }

  afterLoss(state: StepState): void {
    const losses = state.sampleLosses!;
    const n = state.data.indices.length;
    if (losses.ndim !== 1 || losses.shape[0] !== n) {
      throw new Error(`${this.who}: needs one loss per sample for reduction 'none'; got shape [${losses.shape}] for a batch of ${n}`);
    }
    const idx = tensor(state.data.indices).long().to(losses.device);
    ops.index_copy_(this.latest!, 0, idx, losses.detach().to('float32'));
    if (!this.weighted(state.epoch)) return;
    let lambda: number | Tensor;
    if (this.opts.pace.kind === 'fraction') {
      const t = this.batchLambda(losses);
      this.lambdaSum!.add_(t.to('float64'));
      this.lambdaBatches++;
      lambda = t;
    } else {
      lambda = this.lambda!;
    }
    state.loss = weightedMean(losses, this.weights(losses, lambda));
  }

  onEpochBegin(epoch: number): void {
    this.lambdaSum?.dispose();
    this.lambdaSum = keep(zeros([], { dtype: 'float64', device: this.latest?.device ?? 'cpu' }));
    this.lambdaBatches = 0;
    const pace = this.opts.pace;
    const warm = this.opts.warmupEpochs ?? 0;
    if (pace.kind === 'fraction' && epoch >= warm) {
      this.fraction = admittedFraction(pace, epoch - warm, Math.max(1, this.totalEpochs - warm));
    }
  }

  onEpochEnd(epoch: number, logs: EpochLogs): void {
    const bins = this.opts.histogramBins ?? 10;
    // The epoch's lambda: the mean of its batches' under the fraction pace.
    let lambda = NaN;
    if (this.weighted(epoch)) lambda = this.opts.pace.kind === 'fraction' ? (this.lambdaBatches ? this.lambdaSum!.item() / this.lambdaBatches : NaN) : this.lambda!;
    const { losses, weights } = tidy(() => {
      const l = this.latest!;
      const w = Number.isFinite(lambda) ? this.weights(l, lambda) : ops.where$Scalar(ops.isnan(l), 0, 1);
      return { losses: l.toTypedArray() as Float32Array, weights: w.to('float32').toTypedArray() as Float32Array };
    });
    const record = this.record(epoch, lambda, losses, weights, bins);
    this.records.push(record);
    logs.spl_lambda = record.lambda;
    logs.spl_admitted = record.admitted;
    if (record.labelPrecision !== undefined) logs.spl_label_precision = record.labelPrecision;
    this.advance(epoch, losses);
  }

  onTrainEnd(): void {
    this.latest?.dispose();
    this.latest = undefined;
    this.lambdaSum?.dispose();
    this.lambdaSum = undefined;
  }

  /** The growth pace's lambda for the next epoch (the fraction pace sets its own per batch). */
  private advance(epoch: number, losses: Float32Array): void {
    const pace = this.opts.pace;
    if (pace.kind !== 'growth' || epoch + 1 < (this.opts.warmupEpochs ?? 0)) return;
    if (this.lambda === undefined) this.lambda = lossQuantile(losses, pace.startFraction ?? 0.5);
    else if (epoch >= (this.opts.warmupEpochs ?? 0)) this.lambda *= pace.factor;
  }

  private record(epoch: number, lambda: number, losses: Float32Array, weights: Float32Array, bins: number): SelfPacedEpochRecord {
    const histogram = new Array<number>(bins).fill(0);
    let seen = 0, admitted = 0, admittedCorrect = 0, sum = 0;
    const correct = this.opts.labelIsCorrect;
    for (let i = 0; i < losses.length; i++) {
      if (Number.isNaN(losses[i]!)) continue;
      const v = weights[i]!;
      seen++;
      sum += v;
      histogram[Math.min(bins - 1, Math.floor(v * bins))]!++;
      if (v > 0) {
        admitted++;
        if (correct?.[i]) admittedCorrect++;
      }
    }
    const r: SelfPacedEpochRecord = { epoch, lambda, admitted: seen ? admitted / seen : 0, meanWeight: seen ? sum / seen : 0, histogram };
    if (correct) r.labelPrecision = admitted ? admittedCorrect / admitted : NaN;
    return r;
  }
}
