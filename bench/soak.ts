// Memory soak: 20,000 training steps (batch 32) of the noisy-label CNN with Adam, fed by
// the DataLoader with augmentation. Resident memory at the end is compared with resident
// memory after the first 1,000 steps; growth means tensors or handles leak.
import * as T from '../src/torch/index.js';
import { crossEntropy } from '../src/nn/index.js';
import { Adam } from '../src/optim/index.js';
import { createModel } from '../src/models/index.js';
import { TensorDataset, DataLoader, compose, RandomCrop, RandomHorizontalFlip, Normalize, ToFloat } from '../src/data/index.js';

const STEPS = Number(process.env.SOAK_STEPS ?? 20_000);
const BASELINE_AT = Math.min(1_000, Math.floor(STEPS / 10));
const mb = (b: number) => (b / 2 ** 20).toFixed(1);

T.manualSeed(0);
const images = T.randint(0, 256, [2048, 3, 32, 32], { dtype: 'uint8' });
const labels = T.randint(0, 10, [2048]);
const loader = new DataLoader(new TensorDataset(images, labels, Array.from({ length: 10 }, (_, i) => `c${i}`)), {
  batchSize: 32, shuffle: true, seed: 1, dropLast: true,
  transform: compose([new RandomCrop(32, { padding: 4 }), new RandomHorizontalFlip(0.5), new ToFloat(), new Normalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])]),
});
const model = createModel('noisy-label-cnn', { numClasses: 10 });
const opt = new Adam(model.parameters(), { lr: 1e-3 });

let step = 0;
let baseline = 0;
const t0 = Date.now();
outer: for (let epoch = 0; ; epoch++) {
  loader.setEpoch(epoch);
  for await (const batch of loader) {
    T.tidy(() => {
      opt.zeroGrad();
      const loss = crossEntropy(model.call(batch.inputs), batch.targets);
      loss.backward();
      opt.step();
      batch.inputs.dispose();
      batch.targets.dispose();
    });
    step++;
    if (step === BASELINE_AT) {
      (globalThis as { gc?: () => void }).gc?.();
      baseline = process.memoryUsage().rss;
      console.log(`step ${step}: rss ${mb(baseline)} MiB (baseline)`);
    } else if (step % 5_000 === 0) {
      console.log(`step ${step}: rss ${mb(process.memoryUsage().rss)} MiB, heap ${mb(process.memoryUsage().heapUsed)} MiB, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
    if (step >= STEPS) break outer;
  }
}
(globalThis as { gc?: () => void }).gc?.();
const end = process.memoryUsage().rss;
console.log(`steps: ${step}, rss after ${BASELINE_AT}: ${mb(baseline)} MiB, rss at end: ${mb(end)} MiB`);
console.log(`rss growth: ${(((end - baseline) / baseline) * 100).toFixed(1)}%`);
