// A model whose answer depends on one known region: images of uniform noise whose class is
// whether a 3×3 patch at a fixed place is bright or dark. After training, every
// explanation must put most of its mass on that patch (9 of the 64 pixels).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Tensor, Generator, rand, randint, tidy, keep, manualSeed, setNumThreads } from '../../../src/torch/index.js';
import { Sequential, Conv2d, ReLU, AdaptiveAvgPool2d, Flatten, Linear, crossEntropy, type Module } from '../../../src/nn/index.js';
import { Adam } from '../../../src/optim/index.js';
import {
  vanillaGradient, smoothGrad, integratedGradients, gradCam, attributionMap, heatmapOverlay, lastConvolution,
} from '../../../src/methods/explain/index.js';

setNumThreads(1);
const SIDE = 8;
const ROWS = [1, 4];
const COLS = [5, 8];

function patchImages(n: number, seed: number): { x: Tensor; y: Tensor } {
  const generator = new Generator(seed);
  return tidy(() => {
    const x = rand([n, 1, SIDE, SIDE], { generator });
    const y = randint(0, 2, [n], { generator });
    const patch = x.sliceDim(2, ROWS[0], ROWS[1]).sliceDim(3, COLS[0], COLS[1]);
    // Class 1: the patch is bright (0.8–1); class 0: dark (0–0.2).
    patch.copy_(patch.mul(0.2).add(y.to('float32').mul(0.8).reshape([n, 1, 1, 1])));
    return { x, y };
  });
}

function trainedPatchModel(): Module {
  manualSeed(4);
  // Global average pooling before the classifier, the architecture Grad-CAM was made for.
  const model = new Sequential(new Conv2d(1, 8, 3, { padding: 1 }), new ReLU(), new Conv2d(8, 8, 3, { padding: 1 }), new ReLU(),
    new AdaptiveAvgPool2d(1), new Flatten(), new Linear(8, 2));
  const { x, y } = patchImages(256, 1);
  keep(x);
  keep(y);
  const opt = new Adam(model.parameters(), { lr: 0.01 });
  for (let i = 0; i < 100; i++) tidy(() => { opt.zeroGrad(); crossEntropy(model.call(x), y).backward(); opt.step(); });
  x.dispose();
  y.dispose();
  return model.eval();
}

const model = trainedPatchModel();
const { x, y } = patchImages(32, 2);
keep(x);
keep(y);

/** Share of each map's mass inside the patch, averaged over images. */
function massInPatch(map: Tensor): number {
  return tidy(() => map.sliceDim(1, ROWS[0], ROWS[1]).sliceDim(2, COLS[0], COLS[1]).sum([1, 2]).div(map.sum([1, 2]).clamp(1e-12, null)).mean().item());
}

test('the model has learned the patch', () => {
  const acc = tidy(() => model.call(x).argmax(1).eq(y).to('float32').mean().item());
  assert.ok(acc > 0.9, `accuracy ${acc}`);
});

test('vanilla gradient, SmoothGrad, Integrated Gradients and Grad-CAM land on the patch', () => {
  tidy(() => {
    const maps: Record<string, Tensor> = {
      'vanilla gradient': attributionMap(vanillaGradient(model, x)),
      SmoothGrad: attributionMap(smoothGrad(model, x, { samples: 10, generator: new Generator(3) })),
      // Explaining the true class from a mid-grey baseline: the patch's departure from grey is the evidence.
      'Integrated Gradients': attributionMap(integratedGradients(model, x, { classes: y, baseline: x.mul(0).add(0.5), steps: 16 })),
      // Grad-CAM keeps positive evidence only: it is asked about the bright patches, whose class is 1.
      'Grad-CAM': gradCam(model, x.index(y.eq(1)), { classes: y.index(y.eq(1)) }),
    };
    for (const [name, map] of Object.entries(maps)) {
      assert.deepEqual(map.shape.slice(1), [SIDE, SIDE], name);
      assert.ok(map.min().item() >= 0 && map.max().item() <= 1 + 1e-6, `${name} is not in [0, 1]`);
      const share = massInPatch(map);
      // The patch is 14% of the image: an explanation blind to it would put about that much there.
      assert.ok(share > 2 * (9 / 64), `${name}: only ${(100 * share).toFixed(1)}% of the map lies on the patch`);
    }
  });
});

test('Grad-CAM finds the last convolution by default and names the layers when one is wrong', () => {
  assert.equal(lastConvolution(model), '2');
  assert.throws(() => gradCam(model, x, { layer: 'nope' }), /no layer 'nope' \(layers: 0, 1, 2, 3, 4, 5, 6\)/);
  assert.throws(() => gradCam(model, x, { layer: '5' }), /must output N×C×H×W feature maps/);
});

test('overlays are RGB images in [0, 1] of the input size', () => {
  tidy(() => {
    const o = heatmapOverlay(x, gradCam(model, x));
    assert.deepEqual(o.shape, [32, 3, SIDE, SIDE]);
    assert.ok(o.min().item() >= 0 && o.max().item() <= 1);
    assert.throws(() => heatmapOverlay(x, x.squeeze(1).narrow(0, 0, 3)), /same size/);
  });
});
