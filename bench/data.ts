// Data-loading benchmark: can the loader feed the training loop?
//
// Measures (1) the DataLoader's throughput on CIFAR-sized uint8 batches with the usual
// augmentation (random crop with 4 px padding, horizontal flip, normalisation), (2) the
// engine's training throughput for the small CNN of bench:engine, and (3) training fed by
// the loader. The CNN is written with raw operators and an inline Adam so that this
// benchmark depends only on the engine and the data layer.
//
// Loader and training are measured alternately, `rounds` times, and the medians reported,
// so that load from other processes on a shared machine biases both alike.
//
// Usage: npm run bench:data [-- --images 4096 --epochs 2 --steps 12 --rounds 3]
import { parseArgs } from 'node:util';
import { type Tensor, rand, randint, zeros, ops, tidy, noGrad, manualSeed, getNumThreads, libtorchVersion } from '../src/torch/index.js';
import { TensorDataset } from '../src/data/dataset.js';
import { DataLoader } from '../src/data/loader.js';
import { compose, RandomCrop, RandomHorizontalFlip, Normalize } from '../src/data/transforms/index.js';

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '4096' },
    epochs: { type: 'string', default: '2' },
    steps: { type: 'string', default: '12' },
    batch: { type: 'string', default: '256' },
    rounds: { type: 'string', default: '3' },
  },
});
const numImages = Number(args.images);
const epochs = Number(args.epochs);
const trainSteps = Number(args.steps);
const batchSize = Number(args.batch);
const rounds = Number(args.rounds);

manualSeed(0);
const images = tidy(() => rand([numImages, 3, 32, 32]).mul(256).floor().clamp(0, 255).to('uint8'));
const labels = randint(0, 10, [numImages]);
const dataset = new TensorDataset(images, labels, Array.from({ length: 10 }, (_, i) => `class${i}`));
const CIFAR_MEAN = [0.4914, 0.4822, 0.4465];
const CIFAR_STD = [0.247, 0.2435, 0.2616];

function makeLoader(seed: number): DataLoader {
  return new DataLoader(dataset, {
    batchSize,
    shuffle: true,
    seed,
    transform: compose([new RandomCrop(32, { padding: 4 }), new RandomHorizontalFlip(), new Normalize(CIFAR_MEAN, CIFAR_STD)]),
  });
}

async function loaderThroughput(): Promise<number> {
  const loader = makeLoader(1);
  for await (const b of loader) { b.inputs.dispose(); b.targets.dispose(); } // warm-up epoch
  let count = 0;
  const start = performance.now();
  for (let e = 0; e < epochs; e++) {
    for await (const b of loader) {
      count += b.inputs.shape[0]!;
      b.inputs.dispose();
      b.targets.dispose();
    }
  }
  return count / ((performance.now() - start) / 1000);
}

// ---- the CNN: conv 32/64/128 (3×3, ReLU, 2×2 max-pool), dropout 0.2, dense 64, dense 10 ----

interface Param { value: Tensor; m: Tensor; v: Tensor }

/** PyTorch's default init for conv and linear layers: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
function param(shape: number[], fanIn: number): Param {
  const bound = 1 / Math.sqrt(fanIn);
  const value = rand(shape).mul(2 * bound).sub(bound);
  value.requiresGrad = true;
  return { value, m: zeros(shape), v: zeros(shape) };
}

const params = {
  c1w: param([32, 3, 3, 3], 27), c1b: param([32], 27),
  c2w: param([64, 32, 3, 3], 288), c2b: param([64], 288),
  c3w: param([128, 64, 3, 3], 576), c3b: param([128], 576),
  f1w: param([64, 2048], 2048), f1b: param([64], 2048),
  f2w: param([10, 64], 64), f2b: param([10], 64),
};

function forward(x: Tensor): Tensor {
  const p = params;
  let h = ops.max_pool2d(ops.relu(ops.conv2d(x, p.c1w.value, p.c1b.value, 1, 1)), 2);
  h = ops.max_pool2d(ops.relu(ops.conv2d(h, p.c2w.value, p.c2b.value, 1, 1)), 2);
  h = ops.max_pool2d(ops.relu(ops.conv2d(h, p.c3w.value, p.c3b.value, 1, 1)), 2);
  h = ops.dropout(h.flatten(1), 0.2, true);
  h = ops.relu(ops.linear(h, p.f1w.value, p.f1b.value));
  return ops.linear(h, p.f2w.value, p.f2b.value);
}

let adamStep = 0;
function trainStep(x: Tensor, y: Tensor): void {
  tidy(() => {
    const loss = ops.cross_entropy_loss(forward(x), y);
    loss.backward();
    adamStep++;
    const [lr, b1, b2, eps] = [1e-3, 0.9, 0.999, 1e-8];
    const c1 = 1 - b1 ** adamStep;
    const c2 = 1 - b2 ** adamStep;
    noGrad(() => {
      for (const p of Object.values(params)) {
        const g = p.value.grad!;
        p.m.mul_(b1).add_(g, 1 - b1);
        p.v.mul_(b2).addcmul_(g, g, 1 - b2);
        const denom = p.v.div(c2).sqrt().add(eps);
        p.value.addcdiv_(p.m, denom, -lr / c1);
        p.value.zeroGrad();
      }
    });
  });
}

function trainingThroughput(): number {
  const x = tidy(() => rand([batchSize, 3, 32, 32]).sub(0.5).div(0.25));
  const y = randint(0, 10, [batchSize]);
  for (let i = 0; i < 2; i++) trainStep(x, y); // warm-up
  const start = performance.now();
  for (let i = 0; i < trainSteps; i++) trainStep(x, y);
  const seconds = (performance.now() - start) / 1000;
  x.dispose();
  y.dispose();
  return (trainSteps * batchSize) / seconds;
}

async function trainingWithLoader(): Promise<number> {
  const loader = makeLoader(2);
  let count = 0;
  const start = performance.now();
  for await (const b of loader) {
    trainStep(b.inputs, b.targets);
    count += b.inputs.shape[0]!;
    b.inputs.dispose();
    b.targets.dispose();
    if (count >= trainSteps * batchSize) break;
  }
  return count / ((performance.now() - start) / 1000);
}

const fmt = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
console.log(`libtorch ${libtorchVersion()}, ${getNumThreads()} threads; ${numImages} images 3×32×32, batch ${batchSize}, ${rounds} rounds`);
const loaderRates: number[] = [];
const trainRates: number[] = [];
for (let r = 0; r < rounds; r++) {
  loaderRates.push(await loaderThroughput());
  trainRates.push(trainingThroughput());
}
const loaderRate = median(loaderRates);
const trainRate = median(trainRates);
console.log(`loader throughput: ${fmt(loaderRate)} images/s (random crop pad 4 + horizontal flip + normalize; rounds: ${loaderRates.map(fmt).join(', ')})`);
console.log(`training throughput: ${fmt(trainRate)} images/s (CNN 32/64/128 + dense 64/10, Adam, ${trainSteps} steps; rounds: ${trainRates.map(fmt).join(', ')})`);
const ratio = loaderRate / trainRate;
console.log(`loader/training throughput ratio: ${ratio.toFixed(1)} (target >= 10: ${ratio >= 10 ? 'met' : 'NOT met'})`);
const fedRate = await trainingWithLoader();
console.log(`training fed by the loader: ${fmt(fedRate)} images/s (${((fedRate / trainRate) * 100).toFixed(0)}% of training alone)`);
