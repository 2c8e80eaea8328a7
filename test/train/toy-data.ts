// Small generated classification sets for the train/ tests: class k is a fixed random
// 1×8×8 template plus Gaussian noise, separable by a small MLP in a few epochs.
import { type Tensor, tidy, keep, randn, randint, manualSeed, stack } from '../../src/torch/index.js';
import { TensorDataset, DataLoader, type DataLoaderOptions } from '../../src/data/index.js';
import { Module, Sequential, Flatten, Linear, ReLU, Dropout } from '../../src/nn/index.js';

export const CLASS_NAMES = ['a', 'b', 'c', 'd'];

export function toyDataset(n: number, seed: number, noise = 1.0): TensorDataset {
  manualSeed(1234);
  const protos = tidy(() => stack(CLASS_NAMES.map(() => randn([1, 8, 8]))));
  manualSeed(seed);
  const { x, y } = tidy(() => {
    const y = randint(0, CLASS_NAMES.length, [n]);
    return { x: protos.indexSelect(0, y).add(randn([n, 1, 8, 8]).mul(noise)), y };
  });
  protos.dispose();
  return new TensorDataset(keep(x), keep(y), [...CLASS_NAMES]);
}

export function toyLoader(ds: TensorDataset, opts: DataLoaderOptions = {}): DataLoader {
  return new DataLoader(ds, { batchSize: 32, prefetch: 0, ...opts });
}

/** Flatten → Linear(64, hidden) → ReLU → [Dropout] → Linear(hidden, 4). */
export function toyModel(seed: number, opts: { hidden?: number; dropout?: number } = {}): Module {
  manualSeed(seed);
  const h = opts.hidden ?? 32;
  const layers: Module[] = [new Flatten(), new Linear(64, h), new ReLU()];
  if (opts.dropout) layers.push(new Dropout(opts.dropout));
  layers.push(new Linear(h, CLASS_NAMES.length));
  return new Sequential(...layers);
}

export function maxAbsDiff(a: Tensor, b: Tensor): number {
  return tidy(() => a.sub(b).abs().max().item());
}
