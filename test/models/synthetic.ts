// Small generated image sets for learning tests: each class is a stripe orientation
// (random phase and noise, so only local structure tells them apart) or a fixed
// template plus noise (separable from raw pixels, for the MLP).
import { Tensor, tidy, keep, arange, rand, randn, randint, manualSeed, stack } from '../../src/torch/index.js';

export interface SyntheticSet { x: Tensor; y: Tensor }

export interface SyntheticOptions {
  n: number;
  classes: number;
  channels: number;
  size: number;
  seed: number;
  noise?: number;
}

/** Class k: sinusoidal stripes at angle k·π/classes, period 6 px, random phase. */
export function stripes(opts: SyntheticOptions): SyntheticSet {
  manualSeed(opts.seed);
  return keep2(tidy(() => {
    const { n, classes, channels, size } = opts;
    const y = randint(0, classes, [n]);
    const angle = y.float().mul(Math.PI / classes).reshape(n, 1, 1, 1);
    const coords = arange(0, size, 1, { dtype: 'float32' });
    const row = coords.reshape(1, 1, size, 1);
    const col = coords.reshape(1, 1, 1, size);
    const phase = rand([n, 1, 1, 1]).mul(2 * Math.PI);
    const proj = col.mul(angle.cos()).add(row.mul(angle.sin()));
    const clean = proj.mul((2 * Math.PI) / 6).add(phase).sin().expand(n, channels, size, size);
    const x = clean.add(randn([n, channels, size, size]).mul(opts.noise ?? 0.3));
    return { x, y };
  }));
}

/** Class k: a fixed random template (drawn from `templateSeed`) plus Gaussian noise. */
export function templates(opts: SyntheticOptions & { templateSeed?: number }): SyntheticSet {
  const { n, classes, channels, size } = opts;
  manualSeed(opts.templateSeed ?? 1234);
  const protos = tidy(() => stack(Array.from({ length: classes }, () => randn([channels, size, size]))));
  manualSeed(opts.seed);
  const out = tidy(() => {
    const y = randint(0, classes, [n]);
    const x = protos.indexSelect(0, y).add(randn([n, channels, size, size]).mul(opts.noise ?? 1.5));
    return { x, y };
  });
  protos.dispose();
  return keep2(out);
}

function keep2(s: SyntheticSet): SyntheticSet {
  keep(s.x);
  keep(s.y);
  return s;
}
