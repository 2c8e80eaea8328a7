// The noise model a denoising config describes (config.noise), seeded from the config.
import { type NoiseModel, AdditiveGaussianNoise, SaltAndPepperNoise, PoissonNoise, RandomMasking } from '../data/index.js';
import type { NoiseConfig } from './config.js';
import { ConfigError } from './config-check.js';

export function buildNoise(cfg: NoiseConfig, seed: number): NoiseModel {
  const common = { seed, clip: cfg.clip };
  try {
    switch (cfg.kind) {
      case 'gaussian': return new AdditiveGaussianNoise(cfg.std, common);
      case 'salt-and-pepper': return new SaltAndPepperNoise(cfg.amount, { ...common, ...(cfg.saltVsPepper !== undefined ? { saltVsPepper: cfg.saltVsPepper } : {}) });
      case 'poisson': return new PoissonNoise(cfg.peak, common);
      case 'masking': return new RandomMasking(cfg.p, { ...common, ...(cfg.value !== undefined ? { value: cfg.value } : {}) });
    }
  } catch (e) {
    throw new ConfigError(`config.noise (${cfg.kind}): ${(e as Error).message}`);
  }
}
