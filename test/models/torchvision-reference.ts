// Reference structures from torchvision itself, when Debian's PyTorch is installed at
// /usr/bin/python3. Weight initialisation is stubbed out so that building VGG-16 in
// Python costs no time; only names, shapes and counts are read. Segmentation models are
// built without weights (their backbone's pretrained weights would be a download).
import { spawnSync } from 'node:child_process';
import { PYTHON, skipWithout } from '../support/require-reference.js';

export interface TorchvisionStructure {
  /** State-dict entries in order: [name, shape]. */
  keys: [string, number[]][];
  params: number;
}

const SCRIPT = `
import json, sys, torch, torchvision
for f in ['kaiming_normal_', 'kaiming_uniform_', 'normal_', 'uniform_', 'constant_', 'zeros_', 'ones_']:
    setattr(torch.nn.init, f, lambda t, *a, **k: t)
out = {}
for name in sys.argv[1:]:
    if hasattr(torchvision.models, name):
        m = getattr(torchvision.models, name)()
    else:
        m = getattr(torchvision.models.segmentation, name)(weights=None, weights_backbone=None)
    out[name] = {'keys': [[k, list(v.shape)] for k, v in m.state_dict().items()],
                 'params': sum(p.numel() for p in m.parameters())}
print(json.dumps(out))
`;

/**
 * torchvision's structures for the given model names, or null when Python torch is
 * unavailable (then tests compare with a pasted reference; in CI that is an error).
 */
export function torchvisionStructures(names: string[]): Record<string, TorchvisionStructure> | null {
  if (skipWithout('torch', 'torchvision')) return null;
  const r = spawnSync(PYTHON, ['-c', SCRIPT, ...names], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`torchvision reference script failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, TorchvisionStructure>;
}

/**
 * Pasted from the script above (torchvision 0.14.1, 1000 classes) for machines without
 * Python torch: parameter counts, state-dict sizes and a sample of keys with shapes.
 */
export const PASTED: Record<string, { params: number; numKeys: number; sample: [string, number[]][] }> = {
  resnet18: {
    params: 11_689_512, numKeys: 122, sample: [
      ['conv1.weight', [64, 3, 7, 7]], ['bn1.running_var', [64]], ['layer1.0.conv1.weight', [64, 64, 3, 3]],
      ['layer2.0.downsample.0.weight', [128, 64, 1, 1]], ['layer2.0.downsample.1.num_batches_tracked', []],
      ['layer4.1.bn2.num_batches_tracked', []], ['fc.weight', [1000, 512]], ['fc.bias', [1000]],
    ],
  },
  resnet34: {
    params: 21_797_672, numKeys: 218, sample: [
      ['conv1.weight', [64, 3, 7, 7]], ['layer3.5.conv2.weight', [256, 256, 3, 3]], ['layer4.2.bn2.num_batches_tracked', []], ['fc.weight', [1000, 512]],
    ],
  },
  vgg16: {
    params: 138_357_544, numKeys: 32, sample: [
      ['features.0.weight', [64, 3, 3, 3]], ['features.0.bias', [64]], ['features.2.weight', [64, 64, 3, 3]],
      ['features.28.weight', [512, 512, 3, 3]], ['classifier.0.weight', [4096, 25088]], ['classifier.3.bias', [4096]],
      ['classifier.6.weight', [1000, 4096]], ['classifier.6.bias', [1000]],
    ],
  },
  vgg16_bn: {
    params: 138_365_992, numKeys: 97, sample: [
      ['features.0.weight', [64, 3, 3, 3]], ['features.1.weight', [64]], ['features.1.running_mean', [64]],
      ['features.40.weight', [512, 512, 3, 3]], ['features.41.weight', [512]], ['classifier.6.weight', [1000, 4096]],
    ],
  },
  mobilenet_v2: {
    params: 3_504_872, numKeys: 314, sample: [
      ['features.0.0.weight', [32, 3, 3, 3]], ['features.0.1.weight', [32]], ['features.1.conv.0.0.weight', [32, 1, 3, 3]],
      ['features.1.conv.1.weight', [16, 32, 1, 1]], ['features.2.conv.0.0.weight', [96, 16, 1, 1]], ['features.2.conv.3.running_var', [24]],
      ['features.18.0.weight', [1280, 320, 1, 1]], ['features.18.1.num_batches_tracked', []], ['classifier.1.weight', [1000, 1280]],
    ],
  },
  mobilenet_v3_large: {
    params: 5_483_032, numKeys: 312, sample: [
      ['features.0.0.weight', [16, 3, 3, 3]], ['features.1.block.0.0.weight', [16, 1, 3, 3]], ['features.2.block.0.0.weight', [64, 16, 1, 1]],
      ['features.4.block.2.fc1.weight', [24, 72, 1, 1]], ['features.4.block.2.fc2.bias', [72]], ['features.13.block.1.0.weight', [672, 1, 5, 5]],
      ['features.16.0.weight', [960, 160, 1, 1]], ['features.16.1.num_batches_tracked', []], ['classifier.0.weight', [1280, 960]],
      ['classifier.3.weight', [1000, 1280]], ['classifier.3.bias', [1000]],
    ],
  },
  lraspp_mobilenet_v3_large: {
    params: 3_221_538, numKeys: 319, sample: [
      ['backbone.0.0.weight', [16, 3, 3, 3]], ['backbone.4.block.3.1.running_var', [40]], ['backbone.13.block.1.0.weight', [672, 1, 5, 5]],
      ['backbone.16.0.weight', [960, 160, 1, 1]], ['classifier.cbr.0.weight', [128, 960, 1, 1]], ['classifier.scale.1.weight', [128, 960, 1, 1]],
      ['classifier.low_classifier.weight', [21, 40, 1, 1]], ['classifier.high_classifier.bias', [21]],
    ],
  },
};
