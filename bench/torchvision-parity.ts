// ResNet-18 parity with torchvision: Python (Debian's PyTorch at /usr/bin/python3) builds
// torchvision's resnet18 with random weights and randomised batch-norm statistics, saves
// its state dict and its eval-mode logits for a fixed random input; visionlab loads the
// same state dict into its own resnet18 and compares logits.
//
//   node dist/bench/torchvision-parity.js [--size 224] [--batch 2]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tidy, noGrad } from '../src/torch/index.js';
import { loadStateDictFile } from '../src/torch/serialize/index.js';
import { resnet18 } from '../src/models/index.js';

export const PYTHON = '/usr/bin/python3';
export const PARITY_TOLERANCE = 1e-4;

const SCRIPT = `
import sys, torch, torchvision
out, batch, size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.manual_seed(seed)
m = torchvision.models.resnet18()
with torch.no_grad():
    # Default statistics (mean 0, var 1) would hide a batch-norm mix-up; randomise them.
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.normal_(0, 0.1)
            mod.running_var.uniform_(0.5, 2.0)
            mod.weight.uniform_(0.5, 1.5)
            mod.bias.normal_(0, 0.1)
m.eval()
x = torch.randn(batch, 3, size, size)
with torch.no_grad():
    y = m(x)
torch.save(m.state_dict(), out + '/resnet18.pt')
torch.save({'input': x, 'logits': y}, out + '/io.pt')
`;

/** Null when /usr/bin/python3 can import torch and torchvision, else why not. */
export function pythonTorchUnavailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
  if (r.status !== 0) return `${PYTHON} cannot import torch/torchvision (${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)})`;
  return null;
}

export interface ParityOptions { batch?: number; size?: number; seed?: number }
export interface ParityResult { maxAbsDiff: number; maxAbsLogit: number; logitsShape: number[]; missingKeys: string[]; unexpectedKeys: string[] }

export async function resnet18Parity(opts: ParityOptions = {}): Promise<ParityResult> {
  const batch = opts.batch ?? 2, size = opts.size ?? 224, seed = opts.seed ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'visionlab-parity-'));
  try {
    const r = spawnSync(PYTHON, ['-c', SCRIPT, dir, String(batch), String(size), String(seed)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`torchvision reference script failed (exit ${r.status}):\n${r.stderr}`);
    const weights = await loadStateDictFile(join(dir, 'resnet18.pt'));
    const io = await loadStateDictFile(join(dir, 'io.pt'));
    const model = resnet18({ numClasses: 1000 });
    const { missingKeys, unexpectedKeys } = model.loadStateDict(weights, false);
    for (const t of weights.values()) t.dispose();
    model.eval();
    const result = tidy(() => noGrad(() => {
      const input = io.get('input')!, expected = io.get('logits')!;
      const ours = model.call(input);
      return {
        maxAbsDiff: ours.sub(expected).abs().max().item(),
        maxAbsLogit: expected.abs().max().item(),
        logitsShape: ours.shape,
      };
    }));
    for (const t of io.values()) t.dispose();
    return { ...result, missingKeys, unexpectedKeys };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const unavailable = pythonTorchUnavailable();
  if (unavailable) {
    console.log(`resnet18 torchvision parity skipped: ${unavailable}`);
    return;
  }
  const batch = argValue('batch', 2), size = argValue('size', 224);
  const t0 = Date.now();
  const r = await resnet18Parity({ batch, size });
  if (r.missingKeys.length || r.unexpectedKeys.length) {
    console.log(`state dict mismatch: missing [${r.missingKeys.join(', ')}], unexpected [${r.unexpectedKeys.join(', ')}]`);
  }
  console.log(`input ${batch}×3×${size}×${size}, logits [${r.logitsShape.join(', ')}], largest |logit| ${r.maxAbsLogit.toFixed(4)}, ${Date.now() - t0} ms`);
  console.log(`resnet18 torchvision parity max abs diff: ${r.maxAbsDiff.toExponential(3)}`);
  const ok = r.maxAbsDiff <= PARITY_TOLERANCE && !r.missingKeys.length && !r.unexpectedKeys.length;
  console.log(ok ? `OK (tolerance ${PARITY_TOLERANCE})` : `FAIL (tolerance ${PARITY_TOLERANCE})`);
  if (!ok) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
