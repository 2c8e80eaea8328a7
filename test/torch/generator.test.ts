// Generator objects: seeded streams of their own, passed to operators with `Generator?`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';
import { native } from '../../src/torch/native.js';
import { spawnSync } from 'node:child_process';

const { Generator, ops } = T;

test('a seeded Generator reproduces PyTorch: torch.randn(3, generator=torch.Generator().manual_seed(42))', () => T.tidy(() => {
  const g = new Generator(42);
  const values = T.randn([3], { generator: g }).toFlatArray();
  // PyTorch 1.13 prints tensor([0.3367, 0.1288, 0.2345]) for this call.
  [0.3367, 0.1288, 0.2345].forEach((v, i) => assert.ok(Math.abs(values[i]! - v) < 1e-4, `randn[${i}] = ${values[i]}`));
  g.dispose();
}));

test('same seed, same stream; another seed, another stream; manualSeed restarts it', () => T.tidy(() => {
  const draw = (g: InstanceType<typeof Generator>) => [
    ...T.rand([5], { generator: g }).toFlatArray(),
    ...T.randperm(7, { generator: g }).toFlatArray(),
    ...T.randint(0, 100, [4], { generator: g }).toFlatArray(),
  ];
  const a = new Generator(7);
  const b = new Generator({ seed: 7 });
  const first = draw(a);
  assert.deepEqual(draw(b), first);
  assert.notDeepEqual(draw(a), first, 'the stream advances');
  assert.notDeepEqual(draw(new Generator(8)), first);
  a.manualSeed(7);
  assert.deepEqual(draw(a), first);
  assert.equal(a.initialSeed(), 7n);
  assert.deepEqual([...T.randperm(7, { generator: new Generator(1) }).toFlatArray()].sort(), [0, 1, 2, 3, 4, 5, 6]);
}));

test('generators neither read nor move the default generator', () => T.tidy(() => {
  T.manualSeed(3);
  const expected = T.rand([4]).toFlatArray();
  T.manualSeed(3);
  const g = new Generator(99);
  T.randn([100], { generator: g });
  ops.normal_(T.zeros([10]), 0, 1, { generator: g });
  assert.deepEqual(T.rand([4]).toFlatArray(), expected);
  // And the default generator's seed does not change what a Generator draws.
  T.manualSeed(1);
  const x = T.rand([3], { generator: new Generator(5) }).toFlatArray();
  T.manualSeed(2);
  assert.deepEqual(T.rand([3], { generator: new Generator(5) }).toFlatArray(), x);
}));

test('getState/setState resume a stream exactly', () => T.tidy(() => {
  const g = new Generator(11);
  T.randn([10], { generator: g });
  const state = g.getState();
  assert.equal(state.dtype, 'uint8');
  const next = T.randn([6], { generator: g }).toFlatArray();
  const other = new Generator(0).setState(state);
  assert.deepEqual(T.randn([6], { generator: other }).toFlatArray(), next);
  g.setState(state);
  assert.deepEqual(T.randn([6], { generator: g }).toFlatArray(), next);
  assert.throws(() => g.setState(T.zeros([3], { dtype: 'uint8' })), /Generator\.setState/);
}));

test('random operators take a generator: bernoulli, normal_, uniform_, random_, multinomial', () => T.tidy(() => {
  const run = () => {
    const g = new Generator(123);
    const p = T.full([2000], 0.3);
    const bern = ops.bernoulli(p, { generator: g });
    const normal = ops.normal_(T.zeros([2000]), 2, 0.5, { generator: g });
    const uniform = ops.uniform_(T.zeros([2000]), -1, 3, { generator: g });
    const ints = ops.random_(T.zeros([50], { dtype: 'int64' }), { generator: g });
    const multi = ops.multinomial(T.tensor([0, 1, 3]), 4000, true, { generator: g });
    g.dispose();
    return { bern, normal, uniform, ints, multi };
  };
  const a = run();
  const b = run();
  for (const k of Object.keys(a) as (keyof typeof a)[]) assert.deepEqual(b[k].toFlatArray(), a[k].toFlatArray(), `${k} reproducible`);
  // Each draws from the distribution asked for.
  assert.ok(Math.abs(a.bern.mean().item() - 0.3) < 0.04, `bernoulli mean ${a.bern.mean().item()}`);
  assert.ok(Math.abs(a.normal.mean().item() - 2) < 0.05 && Math.abs(a.normal.std().item() - 0.5) < 0.05);
  assert.ok(a.uniform.min().item() >= -1 && a.uniform.max().item() < 3 && Math.abs(a.uniform.mean().item() - 1) < 0.1);
  const counts = [0, 1, 2].map((c) => a.multi.eq(c).sum().item());
  assert.equal(counts[0], 0, 'zero weight is never drawn');
  assert.ok(Math.abs(counts[2]! / 4000 - 0.75) < 0.03, `class 2 share ${counts[2]! / 4000}`);
}));

test('wrong handle kinds are TypeErrors, never a wrong cast', () => T.tidy(() => {
  const g = new Generator(1);
  const t = T.ones([2]);
  assert.throws(() => T.callOp('aten::neg', '', g), (e: Error) => e instanceof TypeError && /aten::neg\(self\): expected a Tensor, got a Generator/.test(e.message));
  assert.throws(() => T.callOp('aten::randn', 'generator', [2], t), (e: Error) => e instanceof TypeError && /expected a Generator, got a Tensor/.test(e.message));
  assert.throws(() => T.callOp('aten::neg', '', {}), TypeError);
  assert.throws(() => ops.bernoulli(t, { generator: t as never }), /expected a Generator, got Tensor/);
  assert.throws(() => native.shape(g.h), (e: Error) => e instanceof TypeError && /shape: expected a Tensor/.test(e.message));
  assert.throws(() => native.shape({}), TypeError);
  assert.throws(() => native.dispose(g.h), TypeError);
  assert.throws(() => native.generatorGetState(t.h), (e: Error) => e instanceof TypeError && /expected a Generator/.test(e.message));
  assert.throws(() => native.generatorManualSeed({}, 1), TypeError);
  assert.deepEqual(t.toFlatArray(), [1, 1], 'the tensor is intact');
}));

test('dispose frees a generator once; a disposed generator is refused', () => {
  const before = T.liveGeneratorCount();
  const g = new Generator(4);
  assert.equal(T.liveGeneratorCount(), before + 1);
  g.dispose();
  g.dispose();
  assert.equal(T.liveGeneratorCount(), before);
  assert.equal(g.isDisposed, true);
  assert.throws(() => T.tidy(() => T.callOp('aten::randn', 'generator', [2], g)), /generator was disposed/);
  assert.throws(() => new Generator(-1), RangeError);
  assert.throws(() => new Generator({ seed: 1, device: 'gpu' }), /invalid device 'gpu'/);
  const big = new Generator(2n ** 64n - 1n);
  assert.equal(big.initialSeed(), 2n ** 64n - 1n);
  assert.equal(big.device, 'cpu');
  big.dispose();
  // Unseeded, a Generator starts from PyTorch's default seed, like torch.Generator().
  const d = new Generator();
  assert.equal(d.initialSeed(), 67280421310721n);
  const s = d.seed();
  assert.equal(d.initialSeed(), s);
  d.dispose();
});

test('an undisposed Generator is freed by its finalizer', () => {
  const torchIndex = new URL('../../src/torch/index.js', import.meta.url).href;
  const script = `
    const T = await import(${JSON.stringify(torchIndex)});
    const base = T.liveGeneratorCount();
    for (let i = 0; i < 200; i++) new T.Generator(i);
    const made = T.liveGeneratorCount() - base;
    for (let k = 0; k < 5; k++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
    console.log(made, T.liveGeneratorCount() - base);`;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [made, left] = r.stdout.trim().split(' ').map(Number);
  assert.equal(made, 200);
  assert.ok(left! < 20, `${left} of 200 generators still alive after gc`);
});
