import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync, copyFileSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as T from '../../src/torch/index.js';
import {
  encodeSafetensors, decodeSafetensors, saveSafetensors, loadSafetensors, loadSafetensorsSync,
  saveSafetensorsSync, loadSafetensorsMetadata, readSafetensorsHeader,
} from '../../src/torch/serialize/index.js';
import { tensorBytes } from '../../src/torch/serialize/raw-bytes.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vl-safetensors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** One tensor per dtype, with edge values (extremes, NaN payloads, -0, subnormals). */
function sampleTensors(): Map<string, T.Tensor> {
  const halfBits = new Int16Array([0x3e00 /* 1.5 */, 0x7bff /* 65504 */, 0x0001 /* 2^-24 */, -0x8000 /* -0 */, 0x7e01 /* NaN payload */, -0x0400 /* -inf */]);
  const bf16Bits = new Int16Array([0x3fc0 /* 1.5 */, 0x7f7f /* max */, 0x0001, -0x8000, 0x7fc1, -0x4080 /* -1 */]);
  return new Map<string, T.Tensor>([
    ['f32', T.tensor(new Float32Array([1 / 3, -Infinity, NaN, 1e-45, -0, 3.4028234663852886e38]), { shape: [2, 3] })],
    ['f64', T.tensor(new Float64Array([Math.PI, -0, Infinity, NaN, 5e-324]))],
    ['f16', T.ops.view$dtype(T.tensor(halfBits, { shape: [3, 2] }), 'float16')],
    ['bf16', T.ops.view$dtype(T.tensor(bf16Bits), 'bfloat16')],
    ['i64', T.tensor(new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n]))],
    ['i32', T.tensor(new Int32Array([-(2 ** 31), 2 ** 31 - 1, 7]))],
    ['i16', T.tensor(new Int16Array([-32768, 32767, 0]))],
    ['i8', T.tensor(new Int8Array([-128, 127, 1]), { shape: [1, 3, 1] })],
    ['u8', T.tensor(new Uint8Array([0, 255, 128]))],
    ['bool', T.tensor([[true, false], [false, true]])],
    ['scalar_f32', T.tensor(2.5)],
    ['scalar_i64', T.tensor(-7, { dtype: 'int64' })],
    ['scalar_bool', T.full([], true)],
    ['empty_f16', T.zeros([0, 4], { dtype: 'float16' })],
    ['empty_i8', T.zeros([3, 0], { dtype: 'int8' })],
  ]);
}

function assertSameTensor(name: string, got: T.Tensor | undefined, want: T.Tensor): void {
  assert.ok(got, `missing tensor '${name}'`);
  assert.equal(got.dtype, want.dtype, `${name}: dtype`);
  assert.deepEqual(got.shape, want.shape, `${name}: shape`);
  assert.ok(tensorBytes(got).equals(tensorBytes(want)), `${name}: bytes differ`);
}

test('safetensors round trip keeps every dtype bit for bit, including 0-d and empty tensors', async () => {
  const tensors = sampleTensors();
  const file = path.join(dir, 'all-dtypes.safetensors');
  await saveSafetensors(file, tensors, { format: 'pt', note: 'edge values' });
  const loaded = await loadSafetensors(file);
  assert.deepEqual([...loaded.keys()].sort(), [...tensors.keys()].sort());
  for (const [name, want] of tensors) assertSameTensor(name, loaded.get(name), want);
  // Values, not only bytes: spot checks against the numbers we put in.
  assert.deepEqual(loaded.get('f16')!.toFlatArray().slice(0, 4), [1.5, 65504, 2 ** -24, -0]);
  assert.ok(Number.isNaN(loaded.get('f16')!.toFlatArray()[4]));
  assert.deepEqual(loaded.get('bf16')!.toFlatArray()[5], -1);
  assert.deepEqual(loaded.get('i64')!.toTypedArray(), new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n]));
  assert.deepEqual(loaded.get('bool')!.toArray(), [[true, false], [false, true]]);
  assert.equal(loaded.get('scalar_f32')!.item(), 2.5);
  assert.deepEqual(await loadSafetensorsMetadata(file), { format: 'pt', note: 'edge values' });
});

test('safetensors layout: 8-byte length, space-padded JSON header, aligned data', () => {
  const bytes = encodeSafetensors({ a: T.tensor(new Float32Array([1, 2])), b: T.tensor(new Uint8Array([7])) });
  // Hand-written expected header: larger dtypes first, offsets into the data section.
  const json = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[1],"data_offsets":[8,9]}}';
  const padded = json + ' '.repeat((8 - (json.length % 8)) % 8);
  assert.equal(padded.length % 8, 0);
  assert.equal(Number(bytes.readBigUInt64LE(0)), padded.length);
  assert.equal(bytes.toString('utf8', 8, 8 + padded.length), padded);
  const data = bytes.subarray(8 + padded.length);
  assert.deepEqual([...data], [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 7]); // 1.0f, 2.0f little-endian, then 7
  const header = readSafetensorsHeader(bytes);
  assert.deepEqual(header.entries.map((e) => [e.name, e.dtype, e.begin, e.end]), [['a', 'float32', 0, 8], ['b', 'uint8', 8, 9]]);
});

test('sync variants, Record input, and non-contiguous inputs are saved as their values', () => {
  const base = T.arange(0, 12, 1, { dtype: 'float32' }).reshape(3, 4);
  const file = path.join(dir, 'sync.safetensors');
  saveSafetensorsSync(file, { transposed: base.t(), strided: base.sliceDim(1, 0, 4, 2) });
  const loaded = loadSafetensorsSync(file);
  assert.deepEqual(loaded.get('transposed')!.toArray(), [[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]);
  assert.deepEqual(loaded.get('strided')!.toArray(), [[0, 2], [4, 6], [8, 10]]);
});

test('writes are atomic: no temporary files are left behind', async () => {
  const sub = mkdtempSync(path.join(dir, 'atomic-'));
  await saveSafetensors(path.join(sub, 'a.safetensors'), { x: T.ones([2]) });
  saveSafetensorsSync(path.join(sub, 'b.safetensors'), { x: T.ones([2]) });
  assert.deepEqual(readdirSync(sub).sort(), ['a.safetensors', 'b.safetensors']);
  await assert.rejects(saveSafetensors(path.join(sub, 'missing-dir', 'c.safetensors'), { x: T.ones([1]) }), /could not write .*c\.safetensors/);
  assert.deepEqual(readdirSync(sub).sort(), ['a.safetensors', 'b.safetensors']);
});

function withHeader(header: object, data: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, data]);
}

test('a safetensors file written by saveSafetensors and cut short on disk fails to load, naming the file and the sizes', async () => {
  const file = path.join(dir, 'model.safetensors');
  await saveSafetensors(file, { 'conv.weight': T.randn([8, 3, 3, 3]), 'conv.bias': T.randn([8]), 'fc.weight': T.randn([10, 8]) });
  const full = statSync(file).size;
  const dataStart = 8 + Number(readFileSync(file).readBigUInt64LE(0));
  assert.ok((await loadSafetensors(file)).size === 3, 'the intact file does not load');
  const cuts: [number, (size: number) => RegExp][] = [
    [full - 3, (size) => new RegExp(`model-cut\\.safetensors.*tensor '[a-z.]+'.*run past the end of the data \\(${size - dataStart} bytes; truncated\\?\\)`)],
    [dataStart, (size) => new RegExp(`model-cut\\.safetensors.*run past the end of the data \\(${size - dataStart} bytes; truncated\\?\\)`)],
    [dataStart - 10, (size) => new RegExp(`model-cut\\.safetensors.*header length ${dataStart - 8} runs past the end of the file \\(${size} bytes; truncated\\?\\)`)],
    [5, () => /model-cut\.safetensors.*file is 5 bytes, shorter than the 8-byte header length/],
  ];
  const cut = path.join(dir, 'model-cut.safetensors');
  for (const [size, pattern] of cuts) {
    copyFileSync(file, cut);
    truncateSync(cut, size);
    assert.equal(statSync(cut).size, size);
    await assert.rejects(loadSafetensors(cut), pattern(size), `cut to ${size} of ${full} bytes (async)`);
    assert.throws(() => loadSafetensorsSync(cut), pattern(size), `cut to ${size} of ${full} bytes (sync)`);
  }
});

test('corrupt safetensors files give errors naming the file and the tensor', async () => {
  const good = encodeSafetensors({ weight: T.ones([4]), bias: T.zeros([2]) });
  const cases: [string, Buffer, RegExp][] = [
    ['short.safetensors', good.subarray(0, 5), /short\.safetensors.*shorter than the 8-byte header length/],
    ['cut-header.safetensors', good.subarray(0, 20), /cut-header\.safetensors.*runs past the end of the file/],
    ['huge-length.safetensors', Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x10]), good.subarray(8)]), /huge-length\.safetensors.*header length \d+ is larger/],
    ['bad-json.safetensors', Buffer.concat([good.subarray(0, 8), Buffer.from('{"weight":{'), good.subarray(19)]), /bad-json\.safetensors.*not valid JSON/],
    ['size-mismatch.safetensors', withHeader({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, Buffer.alloc(8)), /size-mismatch\.safetensors.*tensor 'w'.*holds 8 bytes but F32 \[3\] needs 12/],
    ['out-of-range.safetensors', withHeader({ w: { dtype: 'U8', shape: [16], data_offsets: [0, 16] } }, Buffer.alloc(8)), /out-of-range\.safetensors.*tensor 'w'.*data_offsets \[0, 16\] run past the end of the data \(8 bytes/],
    ['overlap.safetensors', withHeader({ a: { dtype: 'U8', shape: [4], data_offsets: [0, 4] }, b: { dtype: 'U8', shape: [4], data_offsets: [2, 6] } }, Buffer.alloc(6)), /overlap\.safetensors.*tensor 'b'.*overlap/],
    ['bad-dtype.safetensors', withHeader({ q: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, Buffer.alloc(1)), /bad-dtype\.safetensors.*tensor 'q'.*"F8_E4M3" is not supported/],
    ['bad-shape.safetensors', withHeader({ s: { dtype: 'U8', shape: [-1], data_offsets: [0, 1] } }, Buffer.alloc(1)), /bad-shape\.safetensors.*tensor 's'.*shape \[-1\]/],
  ];
  for (const [name, bytes, pattern] of cases) {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    await assert.rejects(loadSafetensors(file), pattern, name);
  }
  // A bit flip inside the header's JSON text is caught too.
  const flipped = Buffer.from(good);
  flipped[12] = 0xff;
  assert.throws(() => decodeSafetensors(flipped, 'flipped.safetensors'), /flipped\.safetensors: not a valid safetensors file: header is not valid UTF-8/);
  assert.throws(() => encodeSafetensors({ __metadata__: T.ones([1]) }), /reserved/);
});
