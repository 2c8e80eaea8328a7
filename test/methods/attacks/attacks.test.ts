// Every attack on a toy classifier whose answer is known to depend on which quadrant is
// bright: perturbations stay inside their budget and inside [0, 1], the attacks fool
// the model (untargeted and targeted), seeded attacks repeat, and bad input is refused
// with a message naming what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, setNumThreads, tidy, keep, type Tensor } from '../../../src/torch/index.js';
import {
  listAttacks, getAttack, perSampleNorm, fgsm, pgd, deepFool, carliniWagnerL2, squareAttack, apgd, miFgsm, bim,
} from '../../../src/methods/attacks/index.js';
import { trainedToyModel, quadrantImages, accuracy, CLASSES } from '../toy-classifier.js';

setNumThreads(1);
const model = trainedToyModel('mlp');
const { x, y } = quadrantImages(128, 7);
keep(x);
keep(y);
const EPS = 0.4;
const L2_EPS = 2.5;

function inBox(adv: Tensor): void {
  assert.ok(adv.min().item() >= 0 && adv.max().item() <= 1, `adversarial pixels leave [0, 1]: [${adv.min().item()}, ${adv.max().item()}]`);
}

function maxNorm(adv: Tensor, norm: 'linf' | 'l2'): number {
  return tidy(() => perSampleNorm(adv.sub(x), norm).max().item());
}

test('the toy model is right before any attack', () => {
  assert.ok(accuracy(model, x, y) > 0.95);
});

test('every budgeted attack stays within epsilon and [0, 1] and brings accuracy far down', () => {
  for (const name of listAttacks()) {
    const entry = getAttack(name);
    if (entry.norm === 'none') continue;
    const eps = entry.norm === 'l2' ? L2_EPS : EPS;
    tidy(() => {
      const adv = entry.run(model, x, y, { eps, generator: new Generator(1), ...(name === 'square' ? { steps: 300 } : {}) });
      assert.deepEqual(adv.shape, x.shape, name);
      inBox(adv);
      assert.ok(maxNorm(adv, entry.norm as 'linf' | 'l2') <= eps + 1e-5, `${name}: perturbation ${maxNorm(adv, entry.norm as 'linf' | 'l2')} exceeds ε ${eps}`);
      const acc = accuracy(model, adv, y);
      // Single-step attacks are weaker; every attack must still cut accuracy well below clean.
      const bound = name.startsWith('fgsm') ? 0.7 : 0.25;
      assert.ok(acc < bound, `${name}: accuracy under attack ${acc} (expected < ${bound})`);
    });
  }
});

test('iterative attacks beat one step at the same budget', () => {
  tidy(() => {
    const one = accuracy(model, fgsm(model, x, y, { eps: 0.3 }), y);
    const many = accuracy(model, pgd(model, x, y, { eps: 0.3, steps: 20, generator: new Generator(2) }), y);
    assert.ok(many < one, `PGD ${many} vs FGSM ${one}`);
  });
});

test('targeted attacks move images to the class asked for', () => {
  tidy(() => {
    const target = y.add(1).remainder(CLASSES);
    for (const [name, adv] of [
      ['pgd', pgd(model, x, target, { eps: EPS, steps: 20, targeted: true, generator: new Generator(3) })],
      ['mi-fgsm', miFgsm(model, x, target, { eps: EPS, steps: 20, targeted: true })],
      ['apgd-ce', apgd(model, x, target, { eps: EPS, steps: 30, targeted: true, generator: new Generator(3) })],
      ['deepfool', deepFool(model, x, target, { targeted: true })],
      ['square', squareAttack(model, x, target, { eps: EPS, queries: 300, targeted: true, generator: new Generator(3) })],
    ] as const) {
      inBox(adv);
      const hit = model.call(adv).argmax(1).eq(target).to('float32').mean().item();
      assert.ok(hit > 0.6, `${name}: only ${hit} of the images reach their target class`);
    }
  });
});

test('minimal-perturbation attacks (DeepFool, Carlini-Wagner) fool the model with small L2 perturbations', () => {
  tidy(() => {
    const df = deepFool(model, x, y);
    const cw = carliniWagnerL2(model, x, y, { steps: 40, binarySearchSteps: 3, lr: 0.05 });
    for (const [name, adv] of [['deepfool', df], ['cw-l2', cw]] as const) {
      inBox(adv);
      const acc = accuracy(model, adv, y);
      assert.ok(acc < 0.1, `${name}: accuracy under attack ${acc}`);
      // Far below the distance between two quadrant images (about 4 in L2).
      const mean = perSampleNorm(adv.sub(x), 'l2').mean().item();
      assert.ok(mean < 2.5, `${name}: mean L2 perturbation ${mean}`);
    }
  });
});

test('a seeded attack repeats exactly; another seed starts elsewhere', () => {
  tidy(() => {
    const a = pgd(model, x, y, { eps: EPS, steps: 3, generator: new Generator(5) });
    const b = pgd(model, x, y, { eps: EPS, steps: 3, generator: new Generator(5) });
    const c = pgd(model, x, y, { eps: EPS, steps: 3, generator: new Generator(6) });
    assert.equal(a.sub(b).abs().max().item(), 0);
    assert.ok(a.sub(c).abs().max().item() > 0);
  });
});

test('restarts keep, per image, a run that fools the model', () => {
  tidy(() => {
    const once = accuracy(model, pgd(model, x, y, { eps: 0.3, steps: 5, generator: new Generator(7) }), y);
    const thrice = accuracy(model, pgd(model, x, y, { eps: 0.3, steps: 5, restarts: 3, generator: new Generator(7) }), y);
    assert.ok(thrice <= once, `with restarts ${thrice}, without ${once}`);
  });
});

test('BIM without a random start is deterministic and starts from the clean image', () => {
  tidy(() => {
    const a = bim(model, x, y, { eps: EPS, steps: 5 });
    const b = bim(model, x, y, { eps: EPS, steps: 5 });
    assert.equal(a.sub(b).abs().max().item(), 0);
  });
});

test('bad input is refused with a message naming the problem', () => {
  assert.throws(() => fgsm(model, x, y, { eps: -0.1 }), /fgsm: eps must be a positive number/);
  assert.throws(() => pgd(model, x.flatten(1), y, { eps: 0.1 }), /pgd: images must be N×C×H×W/);
  assert.throws(() => pgd(model, x, y.narrow(0, 0, 3), { eps: 0.1 }), /labels must be \[N\] = \[128\]/);
  assert.throws(() => pgd(model, x, y, { eps: 0.1, norm: 'l1' as 'l2' }), /norm must be 'linf' or 'l2'/);
  assert.throws(() => pgd(model, x, y, { eps: 0.1, steps: 0 }), /steps must be a positive integer/);
  assert.throws(() => getAttack('nope'), /unknown attack 'nope' \(attacks: fgsm, /);
});

test('attacks leave the model parameters\' gradients alone', () => {
  model.zeroGrad();
  tidy(() => {
    pgd(model, x, y, { eps: EPS, steps: 2 });
    for (const p of model.parameters()) assert.equal(p.grad, undefined);
  });
});
