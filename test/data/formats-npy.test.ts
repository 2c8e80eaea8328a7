import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { PYTHON as PY, skipWithout } from '../support/require-reference.js';
import { crc32, deflateRawSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { parseNpy, readNpy, readNpz, encodeNpy, arrayDataset } from '../../src/data/formats/npy.js';
import { tensor } from '../../src/torch/index.js';
import { labelHistogram } from '../../src/data/dataset.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-npy-'));

/** A .npy file with the given header dict and little-endian payload (format version `major`). */
function npy(header: string, payload: Buffer, major = 1): Buffer {
  const lenBytes = major === 1 ? 2 : 4;
  const total = Math.ceil((8 + lenBytes + header.length + 1) / 64) * 64;
  const h = header.padEnd(total - 8 - lenBytes - 1, ' ') + '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const len = Buffer.alloc(lenBytes);
  if (major === 1) len.writeUInt16LE(h.length); else len.writeUInt32LE(h.length);
  return Buffer.concat([pre, len, Buffer.from(h, 'latin1'), payload]);
}
const le = (arr: ArrayBufferView) => Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);

test('.npy dtypes <f4 <f8 <i8 <i4 |u1 |b1, v1 and v2 headers', () => {
  const cases: [string, ArrayBufferView, string, number[]][] = [
    ['<f4', Float32Array.of(1.5, -2, 0.25, 8), 'float32', [1.5, -2, 0.25, 8]],
    ['<f8', Float64Array.of(1e-300, 3, 4, 5), 'float64', [1e-300, 3, 4, 5]],
    ['<i8', BigInt64Array.of(-1n, 2n, 9007199254740991n, 0n), 'int64', [-1, 2, 9007199254740991, 0]],
    ['<i4', Int32Array.of(-7, 7, 70000, 0), 'int32', [-7, 7, 70000, 0]],
    ['|u1', Uint8Array.of(0, 255, 3, 4), 'uint8', [0, 255, 3, 4]],
    ['|b1', Uint8Array.of(1, 0, 0, 1), 'bool', [1, 0, 0, 1]],
  ];
  for (const major of [1, 2]) {
    for (const [descr, data, dtype, values] of cases) {
      const f = path.join(tmp, `a-${descr.slice(1)}-${major}.npy`);
      writeFileSync(f, npy(`{'descr': '${descr}', 'fortran_order': False, 'shape': (2, 2), }`, le(data), major));
      const t = readNpy(f);
      assert.equal(t.dtype, dtype, descr);
      assert.deepEqual(t.shape, [2, 2]);
      assert.deepEqual(t.toFlatArray(), values, descr);
    }
  }
});

test('big-endian data is byte-swapped; Fortran order and odd dtypes are clear errors', () => {
  const be = Buffer.alloc(8);
  be.writeInt32BE(258, 0);
  be.writeInt32BE(-3, 4);
  assert.deepEqual(readNpyBuf(npy("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", be)), [258, -3]);
  assert.throws(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", Buffer.alloc(16)), 'f.npy'), /f\.npy: Fortran-order/);
  assert.throws(() => parseNpy(npy("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", Buffer.alloc(16)), 'c.npy'), /c\.npy: unsupported dtype '<c16'/);
  assert.throws(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", Buffer.alloc(8)), 't.npy'), /t\.npy: truncated .npy data/);
});

function readNpyBuf(b: Buffer): number[] {
  const f = path.join(tmp, `b${Math.random()}.npy`);
  writeFileSync(f, b);
  return readNpy(f).toFlatArray();
}

test('encodeNpy round-trips', () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'int64' });
  const f = path.join(tmp, 'rt.npy');
  writeFileSync(f, encodeNpy(t));
  assert.deepEqual(readNpy(f).toArray(), [[1, 2, 3], [4, 5, 6]]);
});

/** A zip archive; method 0 stores, 8 deflates. */
function zipOf(members: { name: string; data: Buffer; method: 0 | 8 }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const body = m.method === 8 ? deflateRawSync(m.data) : m.data;
    const name = Buffer.from(m.name);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0); lh.writeUInt16LE(20, 4); lh.writeUInt16LE(m.method, 8);
    lh.writeUInt32LE(crc32(m.data), 14); lh.writeUInt32LE(body.length, 18); lh.writeUInt32LE(m.data.length, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0); ch.writeUInt16LE(20, 4); ch.writeUInt16LE(20, 6); ch.writeUInt16LE(m.method, 10);
    ch.writeUInt32LE(crc32(m.data), 16); ch.writeUInt32LE(body.length, 20); ch.writeUInt32LE(m.data.length, 24);
    ch.writeUInt16LE(name.length, 28); ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, body);
    central.push(ch, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0); eocd.writeUInt16LE(members.length, 8); eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(cd.length, 12); eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

test('.npz with stored and deflated members', () => {
  const x = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", le(Float32Array.of(1, 2, 3)));
  const y = npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", le(BigInt64Array.of(5n, 6n)));
  const f = path.join(tmp, 'a.npz');
  writeFileSync(f, zipOf([{ name: 'x.npy', data: x, method: 0 }, { name: 'y.npy', data: y, method: 8 }]));
  const arrays = readNpz(f);
  assert.deepEqual([...arrays.keys()], ['x', 'y']);
  assert.deepEqual(arrays.get('x')!.toFlatArray(), [1, 2, 3]);
  assert.deepEqual(arrays.get('y')!.toFlatArray(), [5, 6]);
});

test('numpy-written .npy and .npz (savez and savez_compressed) read back', (t) => {
  const missing = skipWithout('numpy');
  if (missing) return t.skip(missing);
  execFileSync(PY, ['-c', `
import numpy as np, os
d = ${JSON.stringify(tmp)}
a = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 4
np.save(os.path.join(d, 'np.npy'), a)
np.savez(os.path.join(d, 'np.npz'), a=a, b=np.array([True, False]))
np.savez_compressed(os.path.join(d, 'npc.npz'), a=a, i=np.array([[1, -2]], dtype=np.int32))
`]);
  const expected = Array.from({ length: 24 }, (_, i) => i / 4);
  assert.deepEqual(readNpy(path.join(tmp, 'np.npy')).toFlatArray(), expected);
  const z = readNpz(path.join(tmp, 'np.npz'));
  assert.deepEqual(z.get('a')!.shape, [2, 3, 4]);
  assert.deepEqual(z.get('b')!.toArray(), [true, false]);
  const c = readNpz(path.join(tmp, 'npc.npz'));
  assert.deepEqual(c.get('a')!.toFlatArray(), expected);
  assert.deepEqual(c.get('i')!.toArray(), [[1, -2]]);
});

test('arrayDataset accepts NHWC and NCHW and checks label counts', () => {
  // 4 images, 2×2 pixels, 3 channels; pixel value = 100·image + 10·channel + position.
  const nchw = Uint8Array.from({ length: 4 * 3 * 4 }, (_, k) => 100 * Math.floor(k / 12) % 256 + 10 * (Math.floor(k / 4) % 3) + (k % 4));
  const nhwc = new Uint8Array(nchw.length);
  for (let n = 0; n < 4; n++) for (let c = 0; c < 3; c++) for (let p = 0; p < 4; p++) nhwc[n * 12 + p * 3 + c] = nchw[n * 12 + c * 4 + p]!;
  const labels = BigInt64Array.of(0n, 1n, 1n, 2n);
  const fN = path.join(tmp, 'nchw.npy');
  const fH = path.join(tmp, 'nhwc.npy');
  const fL = path.join(tmp, 'labels.npy');
  writeFileSync(fN, npy("{'descr': '|u1', 'fortran_order': False, 'shape': (4, 3, 2, 2), }", le(nchw)));
  writeFileSync(fH, npy("{'descr': '|u1', 'fortran_order': False, 'shape': (4, 2, 2, 3), }", le(nhwc)));
  writeFileSync(fL, npy("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }", le(labels)));
  const a = arrayDataset(fN, fL);
  const b = arrayDataset(fH, fL);
  assert.deepEqual(a.imageShape, [3, 2, 2]);
  assert.deepEqual(b.imageShape, [3, 2, 2]);
  assert.deepEqual(b.getBatch([0, 1, 2, 3]).inputs.toFlatArray(), [...nchw]);
  assert.deepEqual(a.getBatch([3]).inputs.toFlatArray(), [...nchw.subarray(36)]);
  assert.deepEqual(labelHistogram(a), [1, 2, 1]);
  const short = path.join(tmp, 'short-labels.npy');
  writeFileSync(short, npy("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", le(labels.subarray(0, 3))));
  assert.throws(() => arrayDataset(fN, short), (e: Error) => e.message.includes(short) && e.message.includes('3 labels') && e.message.includes('4 images'));
});
