// The README's pictures, from a real model: a CNN trained briefly on Fashion-MNIST, then
// PGD at ε = 0.1 on eight test images (clean / adversarial / amplified perturbation) and
// Grad-CAM of its last convolution on the same images. Writes docs/adversarial-grid.png
// and docs/grad-cam.png.
import * as T from '../src/torch/index.js';
import { Adam } from '../src/optim/index.js';
import { createModel } from '../src/models/index.js';
import { DataLoader, Subset, fashionMnist, writeImageGrid, FASHION_MNIST_CLASSES } from '../src/data/index.js';
import { fit } from '../src/train/index.js';
import { Victim, pgd, writeAdversarialGrid } from '../src/methods/attacks/index.js';
import { gradCam, heatmapOverlay } from '../src/methods/explain/index.js';

const TRAIN = Number(process.env.FIGURES_TRAIN_LIMIT ?? 10_000);
T.manualSeed(0);
const train = await fashionMnist({ split: 'train' });
const test = await fashionMnist({ split: 'test' });
const model = createModel('fashion-cnn', { numClasses: 10, inChannels: 1, inputSize: 28 });
await fit(model, new DataLoader(new Subset(train, Int32Array.from({ length: TRAIN }, (_, i) => i)), { batchSize: 128, shuffle: true }), {
  epochs: 1, optimizer: new Adam(model.parameters(), { lr: 2e-3 }), verbose: false,
});
model.eval();
const victim = new Victim(model);
const batch = test.getBatch(Int32Array.from({ length: 8 }, (_, i) => i));
const x = T.keep(batch.inputs.to('float32').div(255));
const adv = pgd(victim, x, batch.targets, { eps: 0.1, steps: 20, stepSize: 0.01, generator: new T.Generator(0) });
await writeAdversarialGrid('docs/adversarial-grid.png', victim, x, adv, batch.targets, FASHION_MNIST_CLASSES);
const overlay = T.tidy(() => heatmapOverlay(x, gradCam(victim, x)));
const names = T.tidy(() => T.noGrad(() => model.call(x).argmax(1).toFlatArray().map((c) => FASHION_MNIST_CLASSES[c]!)));
await writeImageGrid('docs/grad-cam.png', T.tidy(() => T.cat([x.expand(-1, 3, -1, -1), overlay])), {
  cols: 8, scale: 3, captions: [...names, ...names.map(() => 'Grad-CAM')],
});
console.log('wrote docs/adversarial-grid.png and docs/grad-cam.png');
