// Grad-CAM against a PyTorch implementation (forward hook on the layer, autograd for the
// gradient, bilinear upsampling, scaling by the maximum) on the same weights and images:
// the maps agree to 1e-5.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PYTHON, skipWithout } from '../../support/require-reference.js';
import { type Tensor, manualSeed, rand, setNumThreads, tidy } from '../../../src/torch/index.js';
import { Sequential, Conv2d, ReLU, MaxPool2d, Flatten, Linear } from '../../../src/nn/index.js';
import { gradCam } from '../../../src/methods/explain/index.js';

setNumThreads(1);

const SCRIPT = String.raw`
import json, sys, torch
from torch import nn
import torch.nn.functional as F
torch.set_num_threads(1)
req = json.load(sys.stdin)
def T(d):
    return torch.tensor(d['data'], dtype=torch.float32).reshape(d['shape'])
m = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 8, 3, padding=1), nn.ReLU(),
                  nn.Flatten(), nn.Linear(8 * 6 * 5, 5))
m.load_state_dict({k: T(v) for k, v in req['state'].items()}, strict=True)
m.eval()
x = T(req['x'])
out = {}
for layer in ('3', '0'):
    acts = {}
    h = dict(m.named_modules())[layer].register_forward_hook(lambda mod, i, o: acts.__setitem__('a', o))
    logits = m(x.clone().requires_grad_(True))
    h.remove()
    cls = logits.argmax(1)
    a = acts['a']
    g, = torch.autograd.grad(logits.gather(1, cls[:, None]).sum(), a)
    cam = F.relu((a.detach() * g.mean((2, 3), keepdim=True)).sum(1, keepdim=True))
    up = F.interpolate(cam, size=x.shape[2:], mode='bilinear', align_corners=False).squeeze(1)
    up = up / up.flatten(1).max(1).values.clamp(min=1e-12)[:, None, None]
    out[layer] = up.flatten().tolist()
print(json.dumps(out))
`;

function toJson(t: Tensor): { shape: number[]; data: number[] } {
  return { shape: t.shape, data: t.contiguous().toFlatArray() };
}

test('Grad-CAM maps equal a PyTorch implementation to 1e-5', (t) => {
  const missing = skipWithout('torch');
  if (missing) return t.skip(missing);
  manualSeed(8);
  const model = new Sequential(new Conv2d(3, 6, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Conv2d(6, 8, 3, { padding: 1 }), new ReLU(),
    new Flatten(), new Linear(8 * 6 * 5, 5)).eval();
  tidy(() => {
    const x = rand([4, 3, 12, 10]);
    const request = { state: Object.fromEntries([...model.stateDict()].map(([k, v]) => [k, toJson(v)])), x: toJson(x) };
    const r = spawnSync(PYTHON, ['-c', SCRIPT], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, OMP_NUM_THREADS: '1' } });
    assert.equal(r.status, 0, r.stderr);
    const ref = JSON.parse(r.stdout) as Record<string, number[]>;
    for (const [layer, options] of [['3', {}], ['0', { layer: '0' }]] as const) {
      const ours = gradCam(model, x, options).toFlatArray();
      const expected = ref[layer]!;
      assert.equal(ours.length, expected.length);
      let worst = 0;
      for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - expected[i]!));
      assert.ok(worst <= 1e-5, `layer ${layer}: largest difference from PyTorch ${worst}`);
      assert.ok(expected.some((v) => v > 0.5), 'the reference map is not empty');
    }
  });
});
