// Self-paced learning as a training callback: each step's objective becomes the weighted
// mean of the per-sample losses, the weights v in [0, 1] computed on the device from the
// current losses and the epoch's lambda (see weightings.ts). Samples with a loss above
// lambda are left out; lambda grows with the epochs (pace.ts) so that training starts from
// the easy samples and admits harder ones as it goes. Because wrongly labelled samples
// keep a high loss for long, they are admitted last, which is what makes the method
// robust to label noise.
//
// Every sample's latest loss is kept on the device and read back once per epoch, to set
// the next lambda from a target fraction, and to record per epoch lambda, the admitted
// fraction, a histogram of the weights and (when the true labels are known) the label
// precision of the admitted samples: the share of them whose given label is correct.
import { type Tensor, keep, full, tensor, tidy, ops } from '../../torch/index.js';
import { weightedMean } from '../../nn/index.js';
import type { Callback, CallbackContext, StepState, EpochLogs } from '../../train/index.js';
import { selfPacedWeights, checkWeightingParams, type SelfPacedWeighting, type WeightingParams } from './weightings.js';
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
 * are computed in units of lambda: on l · LOG_LAMBDA / lambda, with the weighting's own
 * lambda set to LOG_LAMBDA. Samples admitted are still those with l < lambda; a weight
 * falls from 1 at l = 0 to 0 at l = lambda along the curve of zeta = 1 - LOG_LAMBDA.
 */
const LOG_LAMBDA = 0.5;

export class SelfPacedLearning implements Callback {
  readonly needsSampleLosses = true;
  readonly records: SelfPacedEpochRecord[] = [];
  private lambda: number | undefined;
  private weightedEpochs = 0;
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

  /** Lambda of the coming (or current) epoch; undefined before it is known. */
  get currentLambda(): number | undefined { return this.lambda; }

  onTrainBegin(_logs: unknown, ctx: CallbackContext): void {
    this.latest?.dispose();
    this.totalEpochs = ctx.epochs;
    const device = ctx.model.parameters()[0]?.device ?? 'cpu';
    // NaN marks samples not seen yet (a loader that drops the last batch, a resumed epoch).
    this.latest = keep(full([this.opts.datasetSize], NaN, { dtype: 'float32', device }));
  }

  private weighting(epoch: number): WeightingParams | undefined {
    if (epoch < (this.opts.warmupEpochs ?? 0) || this.lambda === undefined) return undefined;
    const lambda = this.lambda;
    const p: WeightingParams = { lambda };
    if (this.opts.weighting === 'mixture') p.lambdaLow = lambda * (this.opts.mixtureRatio ?? 0.5);
    checkWeightingParams(this.opts.weighting, this.opts.weighting === 'logarithmic' ? { lambda: LOG_LAMBDA } : p);
    return p;
  }

  /** The weighting's v for these losses (the logarithmic one in units of lambda, see LOG_LAMBDA). */
  private weights(losses: Tensor, p: WeightingParams): Tensor {
    if (this.opts.weighting !== 'logarithmic') return selfPacedWeights(this.opts.weighting, losses, p);
    return tidy(() => selfPacedWeights('logarithmic', losses.mul(LOG_LAMBDA / p.lambda), { lambda: LOG_LAMBDA }));
  }

  afterLoss(state: StepState): void {
    const losses = state.sampleLosses!;
    const n = state.data.indices.length;
    if (losses.ndim !== 1 || losses.shape[0] !== n) {
      throw new Error(`${this.who}: needs one loss per sample for reduction 'none'; got shape [${losses.shape}] for a batch of ${n}`);
    }
    const idx = tensor(state.data.indices).long().to(losses.device);
    ops.index_copy_(this.latest!, 0, idx, losses.detach().to('float32'));
    const p = this.weighting(state.epoch);
    if (p) state.loss = weightedMean(losses, this.weights(losses, p));
  }

  onEpochEnd(epoch: number, logs: EpochLogs): void {
    const p = this.weighting(epoch);
    const bins = this.opts.histogramBins ?? 10;
    const { losses, weights } = tidy(() => {
      const l = this.latest!;
      const w = p ? this.weights(l, p) : ops.where$Scalar(ops.isnan(l), 0, 1);
      return { losses: l.toTypedArray() as Float32Array, weights: w.to('float32').toTypedArray() as Float32Array };
    });
    const record = this.record(epoch, p?.lambda ?? NaN, losses, weights, bins);
    this.records.push(record);
    logs.spl_lambda = record.lambda;
    logs.spl_admitted = record.admitted;
    if (record.labelPrecision !== undefined) logs.spl_label_precision = record.labelPrecision;
    this.advance(epoch, losses);
  }

  onTrainEnd(): void {
    this.latest?.dispose();
    this.latest = undefined;
  }

  /** Lambda for the next epoch. */
  private advance(epoch: number, losses: Float32Array): void {
    const next = epoch + 1;
    if (next < (this.opts.warmupEpochs ?? 0)) return;
    const pace = this.opts.pace;
    if (pace.kind === 'growth') {
      if (this.lambda === undefined) this.lambda = lossQuantile(losses, pace.startFraction ?? 0.5);
      else if (epoch >= (this.opts.warmupEpochs ?? 0)) this.lambda *= pace.factor;
      return;
    }
    const total = Math.max(1, this.totalEpochs - (this.opts.warmupEpochs ?? 0));
    this.lambda = lossQuantile(losses, admittedFraction(pace, this.weightedEpochs, total));
    this.weightedEpochs++;
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
