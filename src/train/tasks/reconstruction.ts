// Image reconstruction: the model maps inputs [N, C, H, W] to images of the targets'
// shape (a denoiser gets noisy images and is scored against the clean ones; a plain
// autoencoder gets the targets themselves). The loss is MSE, L1, SSIM, PSNR or a mixture,
// scored on the outputs as they will be predicted (clamped where the target sits on the
// range's bound); PSNR, SSIM, MSE and MAE are streamed on the device for the outputs and,
// beside them, for the inputs (input_psnr, ...), so the gain over doing nothing is in
// every epoch's log.
import type { Tensor } from '../../torch/index.js';
import type { Module } from '../../nn/index.js';
import { ReconstructionMeter, reconstructionMetricNames } from '../../metrics/index.js';
import { reconstructionLoss, type ReconstructionLossSpec, type PerImageLoss } from '../reconstruction-loss.js';
import type { Task, StepBatch, EpochMetrics, LossReduction } from '../task.js';

export interface ReconstructionTaskOptions {
  /** Default 'mse'. */
  loss?: ReconstructionLossSpec;
  /**
   * Score the inputs against the targets too (default true). Off for plain autoencoders,
   * whose inputs are the targets.
   */
  scoreInputs?: boolean;
  /** Pixel range of the images (default [0, 1]): outputs are clamped to it for metrics and predictions. */
  range?: readonly [number, number];
  /**
   * Score the loss on the outputs as they will be predicted (default true): a pixel past
   * the range on the side where its target sits on the bound (a black background pixel
   * predicted below 0) is exact once clamped, so the loss counts it as exact instead of
   * spending the model on pulling it back. false scores the raw outputs.
   */
  clampedLoss?: boolean;
}

class ReconstructionMetrics implements EpochMetrics {
  constructor(private readonly meter: ReconstructionMeter, private readonly scoreInputs: boolean) {}
  update(outputs: Tensor, batch: StepBatch): void {
    this.meter.update(outputs, batch.targets, this.scoreInputs ? batch.inputs : undefined);
  }
  compute(): Record<string, number> { return this.meter.compute(); }
  stateDict(): Record<string, number> { return this.meter.stateDict(); }
  loadStateDict(state: Record<string, number>): void { this.meter.loadStateDict(state); }
  dispose(): void { this.meter.dispose(); }
}

export class ReconstructionTask implements Task {
  readonly name = 'reconstruction';
  readonly metricNames: readonly string[];
  readonly primaryMetric = 'psnr';
  readonly lossName: string;
  private readonly lossFn: PerImageLoss;
  private readonly scoreInputs: boolean;
  private readonly range: readonly [number, number];
  private readonly clampedLoss: boolean;

  constructor(opts: ReconstructionTaskOptions = {}) {
    const { fn, name } = reconstructionLoss(opts.loss ?? 'mse', 'ReconstructionTask');
    this.lossFn = fn;
    this.lossName = name;
    this.scoreInputs = opts.scoreInputs ?? true;
    this.range = opts.range ?? [0, 1];
    this.clampedLoss = opts.clampedLoss ?? true;
    if (!(this.range[0] < this.range[1])) throw new RangeError(`ReconstructionTask: range must be [low, high] with low < high, got [${this.range}]`);
    this.metricNames = reconstructionMetricNames(this.scoreInputs);
  }

  private meterFor(device: string): ReconstructionMeter {
    return new ReconstructionMeter(device, { scoreInputs: this.scoreInputs, dataRange: this.range[1] - this.range[0], clamp: this.range });
  }

  forward(model: Module, batch: StepBatch): Tensor {
    return model.call(batch.inputs);
  }

  loss(outputs: Tensor, batch: StepBatch, reduction: LossReduction): Tensor {
    const t = batch.targets;
    if (t.shape.join(',') !== outputs.shape.join(',')) {
      throw new RangeError(`ReconstructionTask: the model's outputs [${outputs.shape}] do not match the target images [${t.shape}]`);
    }
    const target = t.dtype === outputs.dtype ? t : t.to(outputs.dtype);
    const perImage = this.lossFn(this.clampedLoss ? clampWhereTargetOnBound(outputs, target, this.range) : outputs, target);
    return reduction === 'none' ? perImage : perImage.mean();
  }

  createMetrics(device: string): EpochMetrics {
    return new ReconstructionMetrics(this.meterFor(device), this.scoreInputs);
  }

  /** The reconstructed images, clamped to the pixel range. */
  predict(outputs: Tensor): Tensor {
    return outputs.clamp(this.range[0], this.range[1]);
  }
}

/**
 * The outputs with each pixel past the range on its target's side (target on the bound)
 * moved onto the bound, where the clamped prediction is exact: o + [t <= lo]·relu(lo - o)
 * - [t >= hi]·relu(o - hi). Unlike clamping every pixel, a pixel past the range on the far
 * side of its target keeps its gradient, so it is never stuck.
 */
export function clampWhereTargetOnBound(outputs: Tensor, targets: Tensor, [lo, hi]: readonly [number, number]): Tensor {
  const belowLow = outputs.neg().add(lo).relu().mul(targets.le(lo).to(outputs.dtype));
  const aboveHigh = outputs.sub(hi).relu().mul(targets.ge(hi).to(outputs.dtype));
  return outputs.add(belowLow).sub(aboveHigh);
}

export function reconstruction(opts: ReconstructionTaskOptions = {}): ReconstructionTask {
  return new ReconstructionTask(opts);
}
