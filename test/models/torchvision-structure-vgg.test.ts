// VGG-16 and VGG-16-BN have torchvision's exact state-dict names, order, shapes and
// parameter counts (138,357,544 / 138,365,992 with 1000 classes), and their forward
// gives [N, 1000] logits. Each model holds about 550 MB of weights, so each is freed
// before the next is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tidy, noGrad, randn } from '../../src/torch/index.js';
import type { Module } from '../../src/nn/index.js';
import { vgg16, vgg16_bn } from '../../src/models/index.js';
import { torchvisionStructures } from './torchvision-reference.js';
import { assertSameStructure } from './structure-check.js';

const live = torchvisionStructures(['vgg16', 'vgg16_bn']);
const source = live ? 'live from torchvision' : 'pasted reference (Python torch unavailable)';

function check(name: string, build: () => Module): void {
  const m = tidy(build);
  try {
    assertSameStructure(name, m, live);
    // Adaptive pooling to 7×7 makes a 32 px input valid.
    assert.deepEqual(tidy(() => noGrad(() => m.eval().call(randn([1, 3, 32, 32])).shape)), [1, 1000]);
  } finally {
    for (const t of [...m.parameters(), ...m.buffers()]) t.dispose();
  }
}

test(`vgg16 matches torchvision (${source})`, () => check('vgg16', () => vgg16()));
test(`vgg16_bn matches torchvision (${source})`, () => check('vgg16_bn', () => vgg16_bn()));
