// A minimal training loop for the model tests: Adam on cross-entropy (plus an optional
// penalty term), then accuracy on a held-out set in eval mode.
import { Tensor, tidy, noGrad, randperm, manualSeed, setNumThreads } from '../../src/torch/index.js';
import { type Module, crossEntropy } from '../../src/nn/index.js';
import { Adam } from '../../src/optim/adam.js';
import type { SyntheticSet } from './synthetic.js';

// Batches here are tiny: a second OpenMP thread buys nothing and, on a busy shared
// machine, spin-waiting threads multiply the CPU time several-fold.
setNumThreads(1);

export interface FitOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  seed?: number;
  penalty?: (m: Module) => Tensor;
}

export function fit(model: Module, train: SyntheticSet, opts: FitOptions): number[] {
  manualSeed(opts.seed ?? 0);
  const optimizer = new Adam(model.parameters(), { lr: opts.lr });
  const n = train.x.shape[0]!;
  const losses: number[] = [];
  model.train();
  for (let e = 0; e < opts.epochs; e++) {
    let total = 0;
    tidy(() => {
      const order = randperm(n);
      for (let s = 0; s < n; s += opts.batchSize) {
        tidy(() => {
          const idx = order.narrow(0, s, Math.min(opts.batchSize, n - s));
          optimizer.zeroGrad();
          let loss = crossEntropy(model.call(train.x.indexSelect(0, idx)), train.y.indexSelect(0, idx));
          if (opts.penalty) loss = loss.add(opts.penalty(model));
          loss.backward();
          optimizer.step();
          total += loss.item() * idx.shape[0]!;
        });
      }
    });
    losses.push(total / n);
  }
  return losses;
}

export function accuracy(model: Module, test: SyntheticSet): number {
  model.eval();
  return tidy(() => noGrad(() => {
    const pred = model.call(test.x).argmax(1);
    return pred.eq(test.y).float().mean().item();
  }));
}
