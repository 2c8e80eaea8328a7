import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as T from '../../src/torch/index.js';
import {
  saveTorchFile, saveTorchFileSync, loadTorchFile, loadTorchFileSync, encodeTorchFile, decodeTorchFile,
  loadStateDictFile, saveSafetensors, detectFormat,
} from '../../src/torch/serialize/index.js';
import { tensorBytes } from '../../src/torch/serialize/raw-bytes.js';
import { readZip, writeZip } from '../../src/io/zip.js';
import { PickleWriter } from '../../src/io/pickle-writer.js';
import { unpickle, PyCallable } from '../../src/io/pickle-reader.js';
import { stateDict } from './serialize-fixture.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vl-torchfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));


function assertSameTensor(name: string, got: unknown, want: T.Tensor): void {
  assert.ok(got instanceof T.Tensor, `'${name}' is not a tensor`);
  assert.equal(got.dtype, want.dtype, `${name}: dtype`);
  assert.deepEqual(got.shape, want.shape, `${name}: shape`);
  assert.ok(tensorBytes(got).equals(tensorBytes(want)), `${name}: bytes differ`);
}

test('a state dict round trips through .pt bit for bit, for every dtype', async () => {
  const sd = stateDict();
  const file = path.join(dir, 'roundtrip.pt');
  await saveTorchFile(file, sd);
  assert.equal(detectFormat(readFileSync(file)), 'torch');
  const loaded = await loadTorchFile(file);
  assert.ok(loaded instanceof Map);
  assert.deepEqual([...loaded.keys()], [...sd.keys()], 'key order is kept');
  for (const [k, want] of sd) assertSameTensor(k, loaded.get(k), want);
  assert.deepEqual((loaded.get('transposed') as T.Tensor).toArray(), [[0, 3], [1, 4], [2, 5]]);
  assert.deepEqual((loaded.get('conv.weight') as T.Tensor).toFlatArray(), Array.from({ length: 24 }, (_, i) => i / 8));
  const viaStateDict = await loadStateDictFile(file);
  assert.equal(viaStateDict.size, sd.size);
});

test('archive layout: data.pkl, one record per storage (shared for a repeated tensor), version, 64-byte aligned', () => {
  const w = T.ones([3]);
  const bytes = encodeTorchFile(new Map([['a', w], ['b', w], ['c', T.zeros([2], { dtype: 'int64' })]]));
  const records = readZip(bytes);
  assert.deepEqual([...records.keys()], ['archive/data.pkl', 'archive/byteorder', 'archive/data/0', 'archive/data/1', 'archive/version']);
  assert.equal(records.get('archive/version')!.read().toString(), '3\n');
  assert.deepEqual([...records.get('archive/data/0')!.read()], [0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f]);
  // Each record's data starts at a multiple of 64 (what PyTorch's writer does, for mmap).
  const data0 = records.get('archive/data/0')!.read();
  assert.equal((data0.byteOffset - bytes.byteOffset) % 64, 0);
  const loaded = decodeTorchFile(bytes) as Map<string, T.Tensor>;
  assert.deepEqual(loaded.get('b')!.toArray(), [1, 1, 1]);
});

test('nested values: numbers, strings, lists, dicts, None and booleans survive the round trip', () => {
  const file = path.join(dir, 'nested.pt');
  saveTorchFileSync(file, {
    epoch: 7, lr: 0.125, big: 2 ** 40, neg: -5, huge: -(2n ** 70n), name: 'résnet', none: null, flag: true, off: false,
    milestones: [30, 60, [1, 'x']], sub: new Map<string, number>([['k', 1]]), weights: T.tensor([1, 2]),
  });
  const got = loadTorchFileSync(file) as Map<string, unknown>;
  assert.equal(got.get('epoch'), 7);
  assert.equal(got.get('lr'), 0.125);
  assert.equal(got.get('big'), 2 ** 40);
  assert.equal(got.get('neg'), -5);
  assert.equal(got.get('huge'), -(2n ** 70n));
  assert.equal(got.get('name'), 'résnet');
  assert.equal(got.get('none'), null);
  assert.equal(got.get('flag'), true);
  assert.equal(got.get('off'), false);
  assert.deepEqual(got.get('milestones'), [30, 60, [1, 'x']]);
  assert.deepEqual(got.get('sub'), new Map([['k', 1]]));
  assert.deepEqual((got.get('weights') as T.Tensor).toArray(), [1, 2]);
});

test('loadStateDictFile unwraps checkpoints, strips DataParallel prefixes and reads safetensors by content', async () => {
  const ckpt = path.join(dir, 'checkpoint.pth');
  const momentum = T.ones([2]);
  await saveTorchFile(ckpt, {
    epoch: 3, best: T.tensor(0.9),
    state_dict: new Map([['module.fc.weight', T.eye(2)], ['module.fc.bias', T.tensor([1, -1])]]),
    optimizer: { state: new Map([[0, { momentum_buffer: momentum }]]) },
  });
  const sd = await loadStateDictFile(ckpt);
  assert.deepEqual([...sd.keys()], ['fc.weight', 'fc.bias']);
  assert.deepEqual(sd.get('fc.weight')!.toArray(), [[1, 0], [0, 1]]);
  assert.deepEqual(sd.get('fc.bias')!.toArray(), [1, -1]);

  const wrapped = path.join(dir, 'wrapped.pt');
  for (const key of ['model', 'model_state_dict']) {
    await saveTorchFile(wrapped, { [key]: new Map([['w', T.tensor([5])]]), step: 10 });
    assert.deepEqual([...(await loadStateDictFile(wrapped)).keys()], ['w'], key);
  }
  // A file named .pt that is really safetensors is recognised by its bytes.
  const disguised = path.join(dir, 'really-safetensors.pt');
  await saveSafetensors(disguised, { 'layer.weight': T.tensor([[1, 2]]) });
  assert.deepEqual((await loadStateDictFile(disguised)).get('layer.weight')!.toArray(), [[1, 2]]);

  const notDict = path.join(dir, 'list.pt');
  await saveTorchFile(notDict, [T.ones([1])]);
  await assert.rejects(loadStateDictFile(notDict), /list\.pt: holds a list, not a dict of tensors/);
  const noTensors = path.join(dir, 'no-tensors.pt');
  await saveTorchFile(noTensors, { epoch: 1, config: { lr: 0.1 } });
  await assert.rejects(loadStateDictFile(noTensors), /no-tensors\.pt: no state dict found; top-level keys are epoch, config/);
  const mixed = path.join(dir, 'mixed.pt');
  await saveTorchFile(mixed, new Map<string, T.Tensor | number>([['w', T.ones([1])], ['oops', 3]]));
  await assert.rejects(loadStateDictFile(mixed), /mixed\.pt: state dict entry 'oops' holds number, not a tensor/);
});

test('truncated, corrupt and unsafe .pt files give errors naming the file', async () => {
  const good = encodeTorchFile(new Map([['w', T.arange(0, 100, 1, { dtype: 'float32' })]]));
  const truncated = path.join(dir, 'truncated.pt');
  writeFileSync(truncated, good.subarray(0, Math.floor(good.length / 2)));
  await assert.rejects(loadTorchFile(truncated), /truncated\.pt: not a valid zip archive: end-of-central-directory record not found \(truncated\?\)/);

  const flipped = Buffer.from(good);
  const storage = readZip(good).get('archive/data/0')!.read();
  flipped[storage.byteOffset - good.byteOffset + 10] ^= 0xff;
  assert.throws(() => decodeTorchFile(flipped, 'flipped.pt'), /flipped\.pt: not a valid zip archive: entry 'archive\/data\/0' fails its CRC-32 check/);

  // A pickle that would run os.system in Python is refused, naming the global.
  const evil = new PickleWriter();
  evil.global('os', 'system');
  evil.string('echo hacked');
  evil.reduce();
  const evilFile = path.join(dir, 'evil.pt');
  writeFileSync(evilFile, writeZip([{ name: 'evil/data.pkl', data: evil.finish() }, { name: 'evil/version', data: Buffer.from('3\n') }]));
  await assert.rejects(loadTorchFile(evilFile), /evil\.pt: data\.pkl references the Python global 'os\.system', which visionlab does not load/);

  // A storage record named by data.pkl but absent from the archive.
  const records = readZip(good);
  const missing = writeZip([...records.values()].filter((r) => !r.name.endsWith('data/0')).map((r) => ({ name: r.name, data: r.read() })));
  assert.throws(() => decodeTorchFile(missing, 'missing.pt'), /missing\.pt: record 'archive\/data\/0' named by data\.pkl is missing/);

  // Truncated pickle inside an intact zip.
  const pkl = records.get('archive/data.pkl')!.read();
  const cutPickle = writeZip([{ name: 'archive/data.pkl', data: pkl.subarray(0, 40) }]);
  assert.throws(() => decodeTorchFile(cutPickle, 'cut.pt'), /cut\.pt:archive\/data\.pkl: at byte \d+: .*truncated/);

  const script = writeZip([{ name: 'm/constants.pkl', data: Buffer.from([0x80, 2, 0x29, 0x2e]) }, { name: 'm/code/__torch__.py', data: Buffer.from('') }]);
  assert.throws(() => decodeTorchFile(script, 'scripted.pt'), /scripted\.pt: this is a TorchScript archive/);
  const legacy = path.join(dir, 'legacy.pt');
  writeFileSync(legacy, Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]));
  await assert.rejects(loadStateDictFile(legacy), /legacy\.pt: written by torch\.save before PyTorch 1\.6/);
  await assert.rejects(saveTorchFile(path.join(dir, 'bad.pt'), { f: (() => 1) as unknown as number }), /cannot save Function at 'f'/);
});

test('zip64 archives (64-bit sizes and offsets in extra fields) are read', () => {
  const payload = Buffer.from('hello zip64');
  const name = Buffer.from('a/data.bin');
  const crc = crc32Of(payload);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(45, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(payload.length, 18);
  local.writeUInt32LE(payload.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(45, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(0xffffffff, 20);
  central.writeUInt32LE(0xffffffff, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt16LE(28, 30);
  central.writeUInt32LE(0xffffffff, 42);
  const extra = Buffer.alloc(28);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(24, 2);
  extra.writeBigUInt64LE(BigInt(payload.length), 4); // uncompressed size
  extra.writeBigUInt64LE(BigInt(payload.length), 12); // compressed size
  extra.writeBigUInt64LE(0n, 20); // local header offset
  const cdOffset = local.length + name.length + payload.length;
  const cdSize = central.length + name.length + extra.length;
  const end64 = Buffer.alloc(56);
  end64.writeUInt32LE(0x06064b50, 0);
  end64.writeBigUInt64LE(44n, 4);
  end64.writeBigUInt64LE(1n, 24);
  end64.writeBigUInt64LE(1n, 32);
  end64.writeBigUInt64LE(BigInt(cdSize), 40);
  end64.writeBigUInt64LE(BigInt(cdOffset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
  locator.writeUInt32LE(1, 16);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0xffff, 8);
  end.writeUInt16LE(0xffff, 10);
  end.writeUInt32LE(0xffffffff, 12);
  end.writeUInt32LE(0xffffffff, 16);
  const archive = Buffer.concat([local, name, payload, central, name, extra, end64, locator, end]);
  const records = readZip(archive, 'z64.zip');
  assert.deepEqual([...records.keys()], ['a/data.bin']);
  assert.equal(records.get('a/data.bin')!.read().toString(), 'hello zip64');
});

function crc32Of(b: Buffer): number {
  // Standard CRC-32 (IEEE), bit by bit; independent of the zlib one the reader uses.
  let c = 0xffffffff;
  for (const byte of b) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

test('pickle reader: protocol 4 opcodes, memo, LONG1 negatives, and callables supplied by the hook', () => {
  // pickle.dumps({'a': [1, -2**40, 1.5, b'xy', (None, True)], 'b': {3}}, protocol=4), from Debian's /usr/bin/python3 (3.11).
  const bytes = Buffer.from('80049533000000000000007d94288c0161945d94284b018a060000000000ff473ff800000000000043027879944e888694658c0162948f94284b0390752e', 'hex');
  const value = unpickle(bytes, { findClass: (m, n) => { throw new Error(`no ${m}.${n}`); } }) as Map<string, unknown>;
  assert.deepEqual(value.get('a'), [1, -(2 ** 40), 1.5, Buffer.from('xy'), [null, true]]);
  assert.deepEqual(value.get('b'), new Set([3]));
  // A callable the hook provides is called by REDUCE with the argument tuple.
  const w = new PickleWriter();
  w.global('m', 'add');
  w.mark(); w.int(2); w.int(-3); w.tupleFromMark();
  w.reduce();
  const sum = unpickle(w.finish(), { findClass: () => new PyCallable('m.add', (a) => (a[0] as number) + (a[1] as number)) });
  assert.equal(sum, -1);
});
