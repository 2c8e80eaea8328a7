// Streams reconstruction metrics over an epoch: per-image PSNR, SSIM, MSE and MAE summed
// on the device batch by batch and read back once. Beside the model's output it can score
// the input it was given against the same targets, so a denoiser's gain over its noisy
// input is in the same log line (psnr next to input_psnr).
import { type Tensor, keep, zeros, tidy, noGrad, stack, cat, tensor } from '../torch/index.js';
import { msePer, maePer, psnrPer, ssimPer, type SsimOptions } from './reconstruction.js';

export const RECONSTRUCTION_METRICS = ['psnr', 'ssim', 'mse', 'mae'] as const;
export type ReconstructionMetric = (typeof RECONSTRUCTION_METRICS)[number];

/** The names a meter reports, in order: psnr, ssim, mse, mae, then input_psnr, ... when inputs are scored. */
export function reconstructionMetricNames(scoreInputs: boolean): string[] {
  return scoreInputs ? [...RECONSTRUCTION_METRICS, ...RECONSTRUCTION_METRICS.map((m) => `input_${m}`)] : [...RECONSTRUCTION_METRICS];
}

export interface ReconstructionMeterOptions extends SsimOptions {
  /** Also score the inputs against the targets, as input_psnr, input_ssim, ... (default true). */
  scoreInputs?: boolean;
  /** Clamp outputs to this range before scoring (default [0, dataRange]); null to score them as they are. */
  clamp?: readonly [number, number] | null;
}

export class ReconstructionMeter {
  /** [psnr, ssim, mse, mae] sums, then the same for the inputs. */
  private sums: Tensor;
  private count = 0;
  private readonly scoreInputs: boolean;
  private readonly clamp: readonly [number, number] | null;

  constructor(device: string, private readonly opts: ReconstructionMeterOptions = {}) {
    this.scoreInputs = opts.scoreInputs ?? true;
    this.clamp = opts.clamp === undefined ? [0, opts.dataRange ?? 1] : opts.clamp;
    this.sums = keep(zeros([this.scoreInputs ? 8 : 4], { dtype: 'float64', device }));
  }

  /** The metric names compute() returns, in order. */
  get names(): string[] {
    return reconstructionMetricNames(this.scoreInputs);
  }

  /** Adds a batch of outputs and targets [N, C, H, W] (and the inputs, when scored). */
  update(outputs: Tensor, targets: Tensor, inputs?: Tensor): void {
    if (this.scoreInputs && !inputs) throw new Error('ReconstructionMeter: inputs are scored too, but update() got none');
    noGrad(() => tidy(() => {
      const y = targets.to(outputs.dtype);
      const out = this.clamp ? outputs.clamp(this.clamp[0], this.clamp[1]) : outputs;
      const rows = [this.scores(out, y)];
      if (this.scoreInputs) rows.push(this.scores(inputs!.to(outputs.dtype), y));
      this.sums.add_(cat(rows).to('float64'));
    }));
    this.count += outputs.shape[0]!;
  }

  /** [psnr, ssim, mse, mae] summed over the batch's images. */
  private scores(x: Tensor, y: Tensor): Tensor {
    return stack([psnrPer(x, y, this.opts), ssimPer(x, y, this.opts), msePer(x, y), maePer(x, y)].map((t) => t.sum()));
  }

  compute(): Record<string, number> {
    const sums = this.sums.toFlatArray() as number[];
    return Object.fromEntries(this.names.map((name, i) => [name, this.count > 0 ? sums[i]! / this.count : NaN]));
  }

  stateDict(): Record<string, number> {
    const sums = this.sums.toFlatArray() as number[];
    return { count: this.count, ...Object.fromEntries(this.names.map((name, i) => [name, sums[i]!])) };
  }

  loadStateDict(state: Record<string, number>): void {
    tidy(() => this.sums.copy_(tensor(Float64Array.from(this.names, (n) => state[n] ?? 0)).to(this.sums.device)));
    this.count = state.count ?? 0;
  }

  dispose(): void {
    this.sums.dispose();
  }
}
