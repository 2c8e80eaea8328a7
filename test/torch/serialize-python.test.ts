// Interoperability with Python's PyTorch: files written by torch.save load here, and files
// written here load in torch.load. Skipped where /usr/bin/python3 has no torch/torchvision
// (a failure in CI, where setup installs them).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as T from '../../src/torch/index.js';
import { saveTorchFile, saveTorchFileSync, loadTorchFileSync, loadStateDictFile, saveSafetensorsSync } from '../../src/torch/serialize/index.js';
import { resnet18 } from '../../src/models/index.js';
import { stateDict } from './serialize-fixture.js';
import { PYTHON, skipWithout } from '../support/require-reference.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vl-torchfile-python-'));
after(() => rmSync(dir, { recursive: true, force: true }));


// Python starts slowly, so one process writes every file Python makes, and one reads
// every file visionlab makes.


function python(script: string, ...args: string[]): string {
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  assert.equal(r.status, 0, `python failed:\n${r.stderr}`);
  return r.stdout;
}

const fromPython = { checkpoint: path.join(dir, 'py-checkpoint.pt'), deflated: path.join(dir, 'py-deflated.pt'), resnet: path.join(dir, 'py-resnet18.pth') };

test('loads files written by torch.save: strided views, shared storages, parameters, Python values, resnet18', async (t) => {
  const missing = skipWithout('torch', 'torchvision');
  if (missing) return t.skip(missing);
  const ref = JSON.parse(python(`
import torch, torchvision, collections, json, sys, zipfile
checkpoint, deflated, resnet = sys.argv[1:4]
sd = collections.OrderedDict()
sd['conv.weight'] = torch.arange(24, dtype=torch.float32).reshape(2, 3, 2, 2) / 8
sd['bn.running_mean'] = torch.tensor([0.5, -1.25, 3.0])
sd['bn.num_batches_tracked'] = torch.tensor(42)
sd['ids'] = torch.tensor([-(2**63), 2**63 - 1, 5], dtype=torch.int64)
base = torch.arange(20, dtype=torch.float64).reshape(4, 5)
sd['base'] = base
sd['strided'] = base[:, 1::2]
sd['transposed'] = base.t()
sd['shared_tail'] = base.view(-1)[15:]
sd['half'] = torch.tensor([1.5, -2.0, 65504.0], dtype=torch.float16)
sd['bf16'] = torch.tensor([1.5, -3.0], dtype=torch.bfloat16)
sd['mask'] = torch.tensor([True, False, True])
sd['u8'] = torch.tensor([0, 200, 255], dtype=torch.uint8)
sd['empty'] = torch.zeros(0, 3)
sd['param'] = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
torch.save({'epoch': 7, 'lr': 0.125, 'name': 'resnet', 'betas': (0.9, 0.999), 'milestones': [30, 60],
            'shape': torch.Size([3, 4]), 'none': None, 'flag': True, 'big': 2**40, 'neg': -5, 'dtype': torch.float16,
            'model_state_dict': sd, 'optimizer': {'state': {0: {'momentum_buffer': torch.ones(2)}}}}, checkpoint)
# The same archive, re-zipped with deflate compression.
with zipfile.ZipFile(checkpoint) as zin, zipfile.ZipFile(deflated, 'w', zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist(): zout.writestr(info.filename, zin.read(info.filename))
torch.manual_seed(0)
m = torchvision.models.resnet18()
m.bn1.running_mean.uniform_()
rsd = m.state_dict()
torch.save(rsd, resnet)
print(json.dumps({'keys': list(rsd.keys()), 'conv1_sum': rsd['conv1.weight'].double().sum().item(),
  'conv1_first': rsd['conv1.weight'].flatten()[:5].tolist(), 'bn1_mean': rsd['bn1.running_mean'][:4].tolist(),
  'fc_bias': rsd['fc.bias'][:3].tolist()}))
`, fromPython.checkpoint, fromPython.deflated, fromPython.resnet)) as { keys: string[]; conv1_sum: number; conv1_first: number[]; bn1_mean: number[]; fc_bias: number[] };

  for (const file of [fromPython.checkpoint, fromPython.deflated]) {
    const ckpt = loadTorchFileSync(file) as Map<string, unknown>;
    assert.equal(ckpt.get('epoch'), 7);
    assert.equal(ckpt.get('lr'), 0.125);
    assert.equal(ckpt.get('name'), 'resnet');
    assert.deepEqual(ckpt.get('betas'), [0.9, 0.999]);
    assert.deepEqual(ckpt.get('milestones'), [30, 60]);
    assert.deepEqual(ckpt.get('shape'), [3, 4]);
    assert.equal(ckpt.get('none'), null);
    assert.equal(ckpt.get('flag'), true);
    assert.equal(ckpt.get('big'), 2 ** 40);
    assert.equal(ckpt.get('neg'), -5);
    assert.equal(ckpt.get('dtype'), 'float16');
    const sd = ckpt.get('model_state_dict') as Map<string, T.Tensor>;
    // Expected values written out by hand from the Python constructions above.
    assert.deepEqual(sd.get('conv.weight')!.shape, [2, 3, 2, 2]);
    assert.deepEqual(sd.get('conv.weight')!.toFlatArray(), Array.from({ length: 24 }, (_, i) => i / 8));
    assert.deepEqual(sd.get('bn.running_mean')!.toArray(), [0.5, -1.25, 3]);
    assert.equal(sd.get('bn.num_batches_tracked')!.dtype, 'int64');
    assert.deepEqual(sd.get('bn.num_batches_tracked')!.shape, []);
    assert.equal(sd.get('bn.num_batches_tracked')!.item(), 42);
    assert.deepEqual(sd.get('ids')!.toTypedArray(), new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 5n]));
    assert.equal(sd.get('base')!.dtype, 'float64');
    assert.deepEqual(sd.get('base')!.toFlatArray(), Array.from({ length: 20 }, (_, i) => i));
    assert.deepEqual(sd.get('strided')!.toArray(), [[1, 3], [6, 8], [11, 13], [16, 18]]);
    assert.deepEqual(sd.get('transposed')!.toArray(), [[0, 5, 10, 15], [1, 6, 11, 16], [2, 7, 12, 17], [3, 8, 13, 18], [4, 9, 14, 19]]);
    assert.deepEqual(sd.get('shared_tail')!.toArray(), [15, 16, 17, 18, 19]);
    assert.equal(sd.get('half')!.dtype, 'float16');
    assert.deepEqual(sd.get('half')!.toArray(), [1.5, -2, 65504]);
    assert.equal(sd.get('bf16')!.dtype, 'bfloat16');
    assert.deepEqual(sd.get('bf16')!.toArray(), [1.5, -3]);
    assert.deepEqual(sd.get('mask')!.toArray(), [true, false, true]);
    assert.deepEqual(sd.get('u8')!.toArray(), [0, 200, 255]);
    assert.deepEqual(sd.get('empty')!.shape, [0, 3]);
    assert.equal(sd.get('param')!.requiresGrad, true);
    assert.deepEqual(sd.get('param')!.toArray(), [1, 2]);
    const state = (ckpt.get('optimizer') as Map<string, unknown>).get('state') as Map<number, Map<string, T.Tensor>>;
    assert.deepEqual(state.get(0)!.get('momentum_buffer')!.toArray(), [1, 1]);
  }
  assert.equal((await loadStateDictFile(fromPython.checkpoint)).size, 14);

  const rsd = await loadStateDictFile(fromPython.resnet);
  assert.equal(rsd.size, 122);
  assert.deepEqual([...rsd.keys()], ref.keys);
  assert.deepEqual(rsd.get('conv1.weight')!.shape, [64, 3, 7, 7]);
  assert.deepEqual(rsd.get('layer1.0.bn1.running_mean')!.shape, [64]);
  assert.deepEqual(rsd.get('layer1.0.bn1.running_mean')!.toFlatArray(), new Array(64).fill(0));
  assert.deepEqual(rsd.get('fc.weight')!.shape, [1000, 512]);
  assert.equal(rsd.get('layer4.1.bn2.num_batches_tracked')!.dtype, 'int64');
  // float32 values come through bit-exact, so they equal Python's printed values exactly.
  assert.deepEqual(rsd.get('conv1.weight')!.flatten().narrow(0, 0, 5).toFlatArray(), ref.conv1_first);
  assert.deepEqual(rsd.get('bn1.running_mean')!.narrow(0, 0, 4).toFlatArray(), ref.bn1_mean);
  assert.deepEqual(rsd.get('fc.bias')!.narrow(0, 0, 3).toFlatArray(), ref.fc_bias);
  assert.ok(Math.abs(rsd.get('conv1.weight')!.double().sum().item() - ref.conv1_sum) < 1e-9);
});

test("Python's torch.load reads what saveTorchFile writes, load_state_dict accepts it, and resnet18 weights round-trip", async (t) => {
  const missing = skipWithout('torch', 'torchvision');
  if (missing) return t.skip(missing);
  const ours = path.join(dir, 'for-python.pt');
  saveTorchFileSync(ours, { model: stateDict(), epoch: 4, lr: 0.5, tags: ['a', 'b'], huge: 2n ** 70n });
  const safetensorsFile = path.join(dir, 'for-python.safetensors');
  saveSafetensorsSync(safetensorsFile, stateDict(), { written_by: 'visionlab' });
  // visionlab's resnet18 goes to torchvision's (strict load) and comes back through torch.save.
  const model = resnet18();
  const original = model.stateDict();
  const resnetOurs = path.join(dir, 'resnet18-from-visionlab.pth');
  const resnetBack = path.join(dir, 'resnet18-back-from-python.pth');
  await saveTorchFile(resnetOurs, original);
  const out = python(`
import torch, torchvision, collections, json, sys, math
ck = torch.load(sys.argv[1])
sd = ck['model']
assert type(sd) is collections.OrderedDict, type(sd)
assert ck['epoch'] == 4 and ck['lr'] == 0.5 and ck['tags'] == ['a', 'b'] and ck['huge'] == 2**70, ck
assert sd['ids'].tolist() == [-(2**63), 2**63 - 1, 5], sd['ids'].tolist()
def enc(x):
    if isinstance(x, float) and not math.isfinite(x): return repr(x)
    return x
result = {k: [str(v.dtype), list(v.shape), [enc(x) for x in v.flatten().tolist()]] for k, v in sd.items()}
# The safetensors file, read by hand from the spec, holds exactly the same tensors.
import struct
raw = open(sys.argv[4], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n])
assert n % 8 == 0 and header.pop('__metadata__') == {'written_by': 'visionlab'}
names = {'F32': torch.float32, 'F64': torch.float64, 'F16': torch.float16, 'BF16': torch.bfloat16, 'I64': torch.int64,
         'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8, 'U8': torch.uint8, 'BOOL': torch.bool}
assert set(header) == set(sd), sorted(header)
for k, info in header.items():
    b, e = info['data_offsets']
    dt = names[info['dtype']]
    t = torch.frombuffer(bytearray(raw[8 + n + b:8 + n + e]), dtype=dt).reshape(info['shape']) if e > b else torch.empty(info['shape'], dtype=dt)
    bits = lambda x: x.contiguous().reshape(-1).view(torch.uint8)  # bit-exact, NaN-safe comparison
    assert t.dtype == sd[k].dtype and t.shape == sd[k].shape and torch.equal(bits(t), bits(sd[k])), k
result['safetensors_checked'] = len(header)
m = torchvision.models.resnet18()
mine = torch.load(sys.argv[2])
m.load_state_dict(mine, strict=True)
assert list(m.state_dict().keys()) == list(mine.keys()), 'key order differs from torchvision'
torch.save(m.state_dict(), sys.argv[3])
result['resnet18_loaded'] = len(mine)
print(json.dumps(result))
`, ours, resnetOurs, resnetBack, safetensorsFile);
  const got = JSON.parse(out) as Record<string, [string, number[], unknown[]]>;
  assert.deepEqual(Object.keys(got).filter((k) => k !== 'resnet18_loaded' && k !== 'safetensors_checked'), [...stateDict().keys()]);
  assert.equal(got['safetensors_checked'] as unknown, stateDict().size);
  assert.deepEqual(got['conv.weight']![0], 'torch.float32');
  assert.deepEqual(got['conv.weight']![1], [2, 3, 2, 2]);
  assert.deepEqual(got['conv.weight']![2], Array.from({ length: 24 }, (_, i) => i / 8));
  assert.deepEqual(got['conv.bias']!, ['torch.float64', [4], [Math.PI, -0, 'inf', 5e-324]]);
  assert.deepEqual(got['bn.num_batches_tracked']!, ['torch.int64', [], [42]]);
  assert.deepEqual(got['i32']!, ['torch.int32', [2], [-(2 ** 31), 2 ** 31 - 1]]);
  assert.deepEqual(got['i16']!, ['torch.int16', [2], [-32768, 32767]]);
  assert.deepEqual(got['i8']!, ['torch.int8', [2], [-128, 127]]);
  assert.deepEqual(got['u8']!, ['torch.uint8', [3], [0, 200, 255]]);
  assert.deepEqual(got['half']!, ['torch.float16', [4], [1.5, 65504, 2 ** -24, -0]]);
  // bfloat16 bits 0x3fc0, 0xc040, 0x7f7f are 1.5, -3 and the largest finite bfloat16.
  assert.deepEqual(got['bf16']!, ['torch.bfloat16', [3], [1.5, -3, 3.3895313892515355e38]]);
  assert.deepEqual(got['mask']!, ['torch.bool', [3], [true, false, true]]);
  assert.deepEqual(got['empty']!, ['torch.float32', [0, 3], []]);
  assert.deepEqual(got['transposed']!, ['torch.float32', [3, 2], [0, 3, 1, 4, 2, 5]]);
  assert.equal(got['resnet18_loaded'] as unknown, 122);
  const back = await loadStateDictFile(resnetBack);
  assert.deepEqual([...back.keys()], [...original.keys()]);
  for (const [k, v] of original) {
    const w = back.get(k)!;
    assert.equal(w.dtype, v.dtype, k);
    assert.deepEqual(w.shape, v.shape, k);
    assert.ok(w.eq(v).all().item(), `${k}: values changed on the way through torchvision`);
  }
});
