// FGSM and PGD (with a fixed random start, so no random stream has to match) against a
// plain PyTorch implementation of the same formulas, run by Debian's Python on the same
// weights, images and labels: the adversarial images agree to 1e-6. The model expects
// standardised inputs, so the normalisation inside the attack is checked too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PYTHON, skipWithout } from '../../support/require-reference.js';
import { type Tensor, manualSeed, rand, randint, setNumThreads, tidy } from '../../../src/torch/index.js';
import { Sequential, Conv2d, ReLU, Flatten, Linear } from '../../../src/nn/index.js';
import { fgsm, pgd } from '../../../src/methods/attacks/index.js';

setNumThreads(1);

const SCRIPT = String.raw`
import json, sys, torch
from torch import nn
import torch.nn.functional as F
torch.set_num_threads(1)
req = json.load(sys.stdin)
def T(d, dtype=torch.float32):
    return torch.tensor(d['data'], dtype=dtype).reshape(d['shape'])
m = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 8 * 8, 4))
m.load_state_dict({k: T(v) for k, v in req['state'].items()}, strict=True)
m.eval()
mean, std = req['mean'], req['std']
# (x - mean) / std written as one multiply-add, as the toolkit's normalize does.
scale = torch.tensor([1 / std], dtype=torch.float32).reshape(1, 1, 1, 1)
shift = torch.tensor([-mean / std], dtype=torch.float32).reshape(1, 1, 1, 1)
x = T(req['x'])
y = T(req['y'], torch.int64)
init = T(req['init'])
eps, alpha, steps = req['eps'], req['alpha'], req['steps']

def grad(adv, labels, targeted):
    adv = adv.detach().clone().requires_grad_(True)
    loss = F.cross_entropy(m(torch.addcmul(shift, adv, scale)), labels, reduction='sum')
    if targeted:
        loss = -loss
    g, = torch.autograd.grad(loss, adv)
    return g

def project(adv):
    return (x + (adv - x).clamp(-eps, eps)).clamp(0, 1)

def pgd(labels, targeted):
    adv = project(x + init)
    for _ in range(steps):
        adv = project(adv + alpha * grad(adv, labels, targeted).sign())
    return adv

target = (y + 1) % 4
out = {
    'fgsm': project(x + eps * grad(x, y, False).sign()),
    'pgd': pgd(y, False),
    'pgd_targeted': pgd(target, True),
}
print(json.dumps({k: v.flatten().tolist() for k, v in out.items()}))
`;

function toJson(t: Tensor): { shape: number[]; data: number[] } {
  return { shape: t.shape, data: t.contiguous().toFlatArray() };
}

test('FGSM and PGD with a fixed start give the adversarial images plain PyTorch gives, to 1e-6', (t) => {
  const missing = skipWithout('torch');
  if (missing) return t.skip(missing);
  manualSeed(21);
  const model = new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new Flatten(), new Linear(4 * 8 * 8, 4)).eval();
  const normalization = { mean: [0.3], std: [0.2] };
  const eps = 0.05;
  const alpha = 0.01;
  const steps = 7;
  tidy(() => {
    const x = rand([6, 1, 8, 8]);
    const y = randint(0, 4, [6]);
    const init = rand([6, 1, 8, 8]).mul(2 * eps).sub(eps);
    const request = {
      state: Object.fromEntries([...model.stateDict()].map(([k, v]) => [k, toJson(v)])),
      x: toJson(x), y: toJson(y), init: toJson(init), mean: 0.3, std: 0.2, eps, alpha, steps,
    };
    const r = spawnSync(PYTHON, ['-c', SCRIPT], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, OMP_NUM_THREADS: '1' } });
    assert.equal(r.status, 0, r.stderr);
    const ref = JSON.parse(r.stdout) as Record<string, number[]>;
    const target = y.add(1).remainder(4);
    const ours: Record<string, Tensor> = {
      fgsm: fgsm(model, x, y, { eps, normalization }),
      pgd: pgd(model, x, y, { eps, steps, stepSize: alpha, init, normalization }),
      pgd_targeted: pgd(model, x, target, { eps, steps, stepSize: alpha, init, normalization, targeted: true }),
    };
    for (const [name, adv] of Object.entries(ours)) {
      const a = adv.toFlatArray();
      const e = ref[name]!;
      assert.equal(a.length, e.length, name);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - e[i]!));
      assert.ok(worst <= 1e-6, `${name}: largest difference from PyTorch ${worst}`);
      // The attack moved the images: the comparison is not of two copies of x.
      assert.ok(adv.sub(x).abs().max().item() > eps / 2, `${name} left the images in place`);
    }
  });
});
