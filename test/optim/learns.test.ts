// Optimizers drive real learning: logistic regression on a generated, linearly
// separable 2-class dataset reaches well above chance on held-out points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor, zeros, randn, manualSeed, tidy, ops } from '../../src/torch/index.js';
import { SGD, Adam, OneCycleLR, type Optimizer, type ParamGroup } from '../../src/optim/index.js';

// Labels follow a fixed line, 2*x0 - x1 + 0.5 > 0, so the classes are linearly separable.
function makeData(n: number): { x: Tensor; y: Tensor } {
  const x = randn([n, 2]);
  const y = tidy(() => x.matmul(tensor([[2], [-1]])).add(0.5).gt(0).float());
  return { x, y };
}

function train(makeOpt: (params: Tensor[]) => Optimizer<ParamGroup>, steps: number, perStep?: (opt: Optimizer<ParamGroup>) => void): number {
  manualSeed(7);
  const trainSet = makeData(256);
  const testSet = makeData(512);
  const w = zeros([2, 1], { requiresGrad: true });
  const b = zeros([1], { requiresGrad: true });
  const opt = makeOpt([w, b]);
  for (let i = 0; i < steps; i++) {
    tidy(() => {
      opt.zeroGrad();
      const logits = trainSet.x.matmul(w).add(b);
      ops.binary_cross_entropy_with_logits(logits, trainSet.y).backward();
      opt.step();
      perStep?.(opt);
    });
  }
  return tidy(() => testSet.x.matmul(w).add(b).gt(0).float().eq(testSet.y).float().mean().item());
}

test('SGD with momentum learns a separable 2-class problem (> 95% held-out accuracy)', () => {
  const acc = train((p) => new SGD(p, { lr: 0.5, momentum: 0.9 }), 100);
  assert.ok(acc > 0.95, `accuracy ${acc}`);
});

test('Adam learns a separable 2-class problem (> 95% held-out accuracy)', () => {
  const acc = train((p) => new Adam(p, { lr: 0.05 }), 100);
  assert.ok(acc > 0.95, `accuracy ${acc}`);
});

test('SGD under a OneCycleLR schedule learns too', () => {
  let sched: OneCycleLR | undefined;
  const acc = train((p) => {
    const opt = new SGD(p, { lr: 0.1 });
    sched = new OneCycleLR(opt, { maxLr: 1, totalSteps: 100 });
    return opt;
  }, 100, () => sched!.step());
  assert.ok(acc > 0.95, `accuracy ${acc}`);
});

test('without steps the model is near chance (so the accuracy checks above can fail)', () => {
  // w = 0 and b = 0 give every point logit 0, so every prediction is the same class.
  const acc = train((p) => new SGD(p, { lr: 0.5 }), 0);
  assert.ok(acc < 0.75, `accuracy ${acc}`);
});
