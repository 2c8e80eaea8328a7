// Transform chains from a config's list of {name, ...options}. Every chain starts by
// turning uint8 images into [0, 1] floats and ends with the normalisation, so the
// training and test chains see pixels on the same scale.
import {
  type Transform, type Dataset, compose, ToFloat, Normalize, computeMeanStd, RandomCrop, RandomHorizontalFlip, RandomVerticalFlip,
  RandomRotation, RandomAffine, RandomErasing, Cutout, GaussianNoise, ColorJitter, RandomResizedCrop, Resize, CenterCrop,
} from '../data/index.js';
import { tidy, zeros } from '../torch/index.js';
import type { TransformSpec, NormalizeStats, TransformsConfig } from './config.js';
import { ConfigError } from './config-check.js';

type Options = Record<string, unknown>;

function without(spec: TransformSpec, ...keys: string[]): Options {
  const o: Options = {};
  for (const [k, v] of Object.entries(spec)) if (k !== 'name' && !keys.includes(k) && v !== undefined) o[k] = v;
  return o;
}

/** A transform constructor's i-th argument: config values are checked by name here and by type in the constructors. */
type Arg<C extends abstract new (...args: never[]) => unknown, I extends number> = ConstructorParameters<C>[I];

const FACTORIES: Record<string, (s: TransformSpec, seed: number) => Transform> = {
  RandomCrop: (s, seed) => new RandomCrop(s.size as Arg<typeof RandomCrop, 0>, { ...without(s, 'size'), seed } as Arg<typeof RandomCrop, 1>),
  RandomHorizontalFlip: (s, seed) => new RandomHorizontalFlip((s.p as number | undefined) ?? 0.5, { seed }),
  RandomVerticalFlip: (s, seed) => new RandomVerticalFlip((s.p as number | undefined) ?? 0.5, { seed }),
  RandomRotation: (s, seed) => new RandomRotation(s.degrees as Arg<typeof RandomRotation, 0>, { ...without(s, 'degrees'), seed } as Arg<typeof RandomRotation, 1>),
  RandomAffine: (s, seed) => new RandomAffine({ ...without(s), seed } as Arg<typeof RandomAffine, 0>),
  RandomErasing: (s, seed) => new RandomErasing({ ...without(s), seed } as Arg<typeof RandomErasing, 0>),
  Cutout: (s, seed) => new Cutout(s.size as number, { ...without(s, 'size'), seed } as Arg<typeof Cutout, 1>),
  GaussianNoise: (s, seed) => new GaussianNoise(s.std as number, { ...without(s, 'std'), seed } as Arg<typeof GaussianNoise, 1>),
  ColorJitter: (s, seed) => new ColorJitter({ ...without(s), seed } as Arg<typeof ColorJitter, 0>),
  RandomResizedCrop: (s, seed) => new RandomResizedCrop(s.size as Arg<typeof RandomResizedCrop, 0>, { ...without(s, 'size'), seed } as Arg<typeof RandomResizedCrop, 1>),
  Resize: (s) => new Resize(s.size as Arg<typeof Resize, 0>),
  CenterCrop: (s) => new CenterCrop(s.size as Arg<typeof CenterCrop, 0>),
};

/** One transform chain; `where` is the config path of the list (config.transforms.train). */
export function buildTransform(specs: readonly TransformSpec[], normalize: NormalizeStats | null, seed: number, where: string): Transform {
  const chain: Transform[] = [new ToFloat()];
  specs.forEach((spec, i) => {
    const make = FACTORIES[spec.name];
    if (!make) throw new ConfigError(`${where}[${i}].name: '${spec.name}' is not one of ${Object.keys(FACTORIES).join(', ')}`);
    try {
      chain.push(make(spec, seed + i));
    } catch (e) {
      throw new ConfigError(`${where}[${i}] (${spec.name}): ${(e as Error).message}`);
    }
  });
  if (normalize) chain.push(new Normalize(normalize.mean, normalize.std));
  return compose(chain);
}

/** The normalisation a config asks for; 'auto' measures the training split (at most 20,000 images). */
export function resolveNormalize(cfg: TransformsConfig, train: Dataset): NormalizeStats | null {
  if (cfg.normalize === 'none') return null;
  if (cfg.normalize !== 'auto') {
    if (cfg.normalize.mean.length !== train.imageShape[0]) {
      throw new ConfigError(`config.transforms.normalize: ${cfg.normalize.mean.length} means for ${train.imageShape[0]}-channel images`);
    }
    return cfg.normalize;
  }
  const { mean, std } = computeMeanStd(train, { maxSamples: 20000 });
  return { mean, std };
}

/** [channels, height, width] after a chain (Resize, CenterCrop change it), found by running it on one blank image. */
export function transformedShape(t: Transform, stored: [number, number, number]): [number, number, number] {
  return tidy(() => {
    const out = t.apply(zeros([1, ...stored], { dtype: 'uint8' }));
    return [out.shape[1]!, out.shape[2]!, out.shape[3]!] as [number, number, number];
  });
}
