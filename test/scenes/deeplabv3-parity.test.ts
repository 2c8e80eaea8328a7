// deeplabv3_resnet50 and fcn_resnet50 built in visionlab and in torchvision from the same state dict (random
// weights, randomised batch-norm statistics, eval mode) gives the same per-pixel logits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deeplabV3ResNet50, fcnResNet50 } from '../../src/models/index.js';
import { skipWithout } from '../support/require-reference.js';
import { compareWithTorchvision } from '../support/torchvision-logits.js';

const SCRIPT = `
import sys, torch, torchvision
out, name = sys.argv[1], sys.argv[2]
torch.manual_seed(0)
m = getattr(torchvision.models.segmentation, name)(weights=None, weights_backbone=None, num_classes=21, aux_loss=False)
with torch.no_grad():
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.normal_(0, 0.1)
            mod.running_var.uniform_(0.5, 2.0)
            mod.weight.uniform_(0.5, 1.5)
            mod.bias.normal_(0, 0.1)
m.eval()
x = torch.randn(1, 3, 64, 48)
with torch.no_grad():
    y = m(x)['out']
torch.save(m.state_dict(), out + '/weights.pt')
torch.save({'input': x, 'logits': y}, out + '/io.pt')
`;

for (const [name, build] of [['deeplabv3_resnet50', deeplabV3ResNet50], ['fcn_resnet50', fcnResNet50]] as const) {
  test(`${name} logits match torchvision to 1e-4`, async (t) => {
    const missing = skipWithout('torch', 'torchvision');
    if (missing) return t.skip(missing);
    const { diff, scale, shape } = await compareWithTorchvision(SCRIPT, name, build());
    assert.deepEqual(shape, [1, 21, 64, 48]);
    assert.ok(scale > 0.1, `largest |logit| ${scale}`);
    assert.ok(diff <= 1e-4, `max abs diff ${diff}`);
  });
}
