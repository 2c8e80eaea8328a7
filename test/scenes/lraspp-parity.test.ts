// mobilenet_v3_large and lraspp_mobilenet_v3_large built in visionlab and in torchvision
// from the same state dict (random weights, randomised batch-norm statistics, eval mode)
// give the same logits: class scores for the classifier, per-pixel scores for LR-ASPP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Module } from '../../src/nn/index.js';
import { mobilenetV3Large, lrasppMobileNetV3Large } from '../../src/models/index.js';
import { skipWithout } from '../support/require-reference.js';
import { compareWithTorchvision } from '../support/torchvision-logits.js';

const SCRIPT = `
import sys, torch, torchvision
out, name = sys.argv[1], sys.argv[2]
torch.manual_seed(0)
if name == 'mobilenet_v3_large':
    m = torchvision.models.mobilenet_v3_large(weights=None, num_classes=10)
else:
    m = torchvision.models.segmentation.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=21)
with torch.no_grad():
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.normal_(0, 0.1)
            mod.running_var.uniform_(0.5, 2.0)
            mod.weight.uniform_(0.5, 1.5)
            mod.bias.normal_(0, 0.1)
        elif isinstance(mod, torch.nn.Linear):
            # torchvision's N(0, 0.01) head would make the logits too small for the tolerance to mean much.
            torch.nn.init.normal_(mod.weight, 0, 0.1)
            mod.bias.normal_(0, 0.1)
        elif isinstance(mod, torch.nn.Conv2d) and mod.bias is not None:
            mod.bias.normal_(0, 0.1)
m.eval()
x = torch.randn(1, 3, 64, 48)
with torch.no_grad():
    y = m(x)
    if isinstance(y, dict):
        y = y['out']
torch.save(m.state_dict(), out + '/weights.pt')
torch.save({'input': x, 'logits': y}, out + '/io.pt')
`;

const cases: [string, () => Module, number[]][] = [
  ['mobilenet_v3_large', () => mobilenetV3Large({ numClasses: 10 }), [1, 10]],
  ['lraspp_mobilenet_v3_large', () => lrasppMobileNetV3Large({ numClasses: 21 }), [1, 21, 64, 48]],
];

for (const [name, build, expectedShape] of cases) {
  test(`${name} logits match torchvision to 1e-4`, async (t) => {
    const missing = skipWithout('torch', 'torchvision');
    if (missing) return t.skip(missing);
    const { diff, scale, shape } = await compareWithTorchvision(SCRIPT, name, build());
    t.diagnostic(`max abs diff ${diff}, largest |logit| ${scale}`);
    assert.deepEqual(shape, expectedShape);
    assert.ok(scale > 0.1, `largest |logit| ${scale}`);
    assert.ok(diff <= 1e-4, `max abs diff ${diff}`);
  });
}
