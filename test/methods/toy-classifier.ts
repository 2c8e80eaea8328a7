// A toy problem the attack, training and explanation tests share: 8×8 greyscale images
// of dim noise where one quadrant (the class) is bright. A small network learns it in a
// second; its answer depends on known pixels, and an L-infinity budget of about 0.3 is
// enough to move the evidence from one quadrant to another.
import { type Tensor, Generator, rand, randint, tidy, keep, manualSeed, zeros } from '../../src/torch/index.js';
import { Sequential, Conv2d, ReLU, Flatten, Linear, crossEntropy, type Module } from '../../src/nn/index.js';
import { Adam } from '../../src/optim/index.js';

export const SIDE = 8;
export const CLASSES = 4;

/** n images [n, 1, 8, 8] in [0, 1] and their labels: quadrant k is bright for class k. */
export function quadrantImages(n: number, seed: number): { x: Tensor; y: Tensor } {
  const generator = new Generator(seed);
  try {
    return tidy(() => {
      const y = randint(0, CLASSES, [n], { generator });
      const noise = rand([n, 1, SIDE, SIDE], { generator }).mul(0.3);
      const half = SIDE / 2;
      const masks = [0, 1, 2, 3].map((k) => {
        const m = zeros([1, 1, SIDE, SIDE]);
        const r0 = k < 2 ? 0 : half;
        const c0 = k % 2 === 0 ? 0 : half;
        m.sliceDim(2, r0, r0 + half).sliceDim(3, c0, c0 + half).fill_(1);
        return m;
      });
      const bright = masks.reduce((acc, m, k) => acc.add(m.mul(y.eq(k).to('float32').reshape([n, 1, 1, 1]))), noise.mul(0));
      const x = noise.add(bright.mul(0.6)).clamp(0, 1);
      return { x, y };
    });
  } finally {
    generator.dispose();
  }
}

export function toyModel(kind: 'mlp' | 'cnn' = 'mlp'): Module {
  return kind === 'mlp'
    ? new Sequential(new Flatten(), new Linear(SIDE * SIDE, 32), new ReLU(), new Linear(32, CLASSES))
    : new Sequential(new Conv2d(1, 8, 3, { padding: 1 }), new ReLU(), new Conv2d(8, 8, 3, { padding: 1 }), new ReLU(), new Flatten(), new Linear(8 * SIDE * SIDE, CLASSES));
}

/** A toy model trained to (nearly) perfect accuracy on quadrant images, in evaluation mode. */
export function trainedToyModel(kind: 'mlp' | 'cnn' = 'mlp', seed = 0): Module {
  manualSeed(seed);
  const model = toyModel(kind);
  const { x, y } = quadrantImages(512, seed + 100);
  keep(x);
  keep(y);
  const opt = new Adam(model.parameters(), { lr: 0.02 });
  for (let step = 0; step < 80; step++) {
    tidy(() => {
      opt.zeroGrad();
      crossEntropy(model.call(x), y).backward();
      opt.step();
    });
  }
  x.dispose();
  y.dispose();
  return model.eval();
}

export function accuracy(model: Module, x: Tensor, y: Tensor): number {
  return tidy(() => model.call(x).argmax(1).eq(y).to('float32').mean().item());
}
