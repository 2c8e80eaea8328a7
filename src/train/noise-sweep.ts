// PSNR and SSIM of a denoiser over a range of Gaussian noise levels, on the same clean
// images with the same seed at each level: how a model trained blind (on a range of
// stds) holds up across it, and how one trained at a single level degrades away from it.
import type { Module } from '../nn/index.js';
import { type Dataset, type Transform, DataLoader, AdditiveGaussianNoise } from '../data/index.js';
import { evaluate } from './evaluate.js';
import { ReconstructionTask } from './tasks/reconstruction.js';

export interface NoiseSweepOptions {
  /** Applied before the noise (resize, ToFloat); default none. */
  transform?: Transform;
  /** Clip noisy images to [0, 1] (default true). */
  clip?: boolean;
  batchSize?: number;
  seed?: number;
  device?: string;
}

export interface NoiseSweep {
  levels: number[];
  /** Per level, of the model's outputs and of the noisy inputs. */
  psnr: number[];
  ssim: number[];
  inputPsnr: number[];
  inputSsim: number[];
}

export async function noiseSweep(model: Module, data: Dataset, levels: readonly number[], opts: NoiseSweepOptions = {}): Promise<NoiseSweep> {
  if (levels.length === 0 || levels.some((l) => !(l >= 0))) throw new RangeError(`noiseSweep: levels must be non-negative stds, got [${levels}]`);
  const task = new ReconstructionTask();
  const out: NoiseSweep = { levels: [...levels], psnr: [], ssim: [], inputPsnr: [], inputSsim: [] };
  for (const std of levels) {
    const seed = opts.seed ?? 0;
    const loader = new DataLoader(data, {
      batchSize: opts.batchSize ?? 256, seed, noise: new AdditiveGaussianNoise(std, { clip: opts.clip ?? true, seed }),
      ...(opts.transform ? { transform: opts.transform } : {}), ...(opts.device ? { device: opts.device } : {}),
    });
    const m = (await evaluate(model, loader, { task, ...(opts.device ? { device: opts.device } : {}) })).metrics;
    out.psnr.push(m.psnr!);
    out.ssim.push(m.ssim!);
    out.inputPsnr.push(m.input_psnr!);
    out.inputSsim.push(m.input_ssim!);
  }
  return out;
}
