import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { PYTHON as PY, skipWithout } from '../support/require-reference.js';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { parseCifarBin, parseCifarPickle, CIFAR10_CLASSES } from '../../src/data/formats/cifar.js';
import { loadPickle } from '../../src/data/formats/pickle.js';
import { extractTar, readTar } from '../../src/data/formats/tar.js';
import { cifar10, cifar100 } from '../../src/data/datasets.js';
import { labelHistogram } from '../../src/data/dataset.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-cifar-'));

/** Image i's pixel p is (7·i + p) mod 256, so every image and channel is distinguishable. */
function pixelsOf(n: number): Uint8Array {
  return Uint8Array.from({ length: n * 3072 }, (_, k) => (7 * Math.floor(k / 3072) + (k % 3072)) % 256);
}

function binBatch(labels: number[][]): Buffer {
  const px = pixelsOf(labels.length);
  return Buffer.concat(labels.map((l, i) => Buffer.concat([Buffer.from(l), px.subarray(i * 3072, (i + 1) * 3072)])));
}

/**
 * The bytes Python 2's cPickle.dump(d, f, 2) writes for the CIFAR batch dict
 * {'data': uint8 ndarray n×3072, 'labels': [...]}: opcodes spelled out by hand.
 */
function python2Pickle(n: number, labels: number[]): Buffer {
  const b = (...x: (number | string | Uint8Array)[]) => Buffer.concat(x.map((v) => typeof v === 'number' ? Buffer.from([v]) : typeof v === 'string' ? Buffer.from(v, 'latin1') : Buffer.from(v)));
  const u32 = (v: number) => { const x = Buffer.alloc(4); x.writeUInt32LE(v); return x; };
  const u16 = (v: number) => { const x = Buffer.alloc(2); x.writeUInt16LE(v); return x; };
  const data = pixelsOf(n);
  return b(
    0x80, 2, '}', 'q', 1, '(', // PROTO 2, EMPTY_DICT, BINPUT 1, MARK
    'U', 4, 'data', 'q', 2,
    'cnumpy.core.multiarray\n_reconstruct\n', 'q', 3,
    'cnumpy\nndarray\n', 'q', 4,
    'K', 0, 0x85, 'U', 1, 'b', 0x87, 'R', 'q', 5, // _reconstruct(ndarray, (0,), 'b')
    '(', 'K', 1, 'K', n, 'M', u16(3072), 0x86, // state: (1, (n, 3072), ...
    'cnumpy\ndtype\n', 'q', 6, 'U', 2, 'u1', 'K', 0, 'K', 1, 0x87, 'R', 'q', 7,
    '(', 'K', 3, 'U', 1, '|', 'N', 'N', 'N', 'J', u32(0xffffffff), 'J', u32(0xffffffff), 'K', 0, 't', 'b', // dtype state
    0x89, 'T', u32(data.length), data, 't', 'b', // False (C order), raw bytes; BUILD
    'U', 6, 'labels', 'q', 8, ']', 'q', 9, '(', ...labels.flatMap((l) => ['K', l]), 'e',
    'U', 11, 'batch_label', 'q', 10, 'U', 4, 'test',
    'u', '.',
  );
}

function checkBatch(a: { pixels: Uint8Array; labels: Int32Array }, n: number, labels: number[]) {
  assert.deepEqual([...a.labels], labels);
  assert.equal(a.pixels.length, n * 3072);
  assert.deepEqual([...a.pixels.subarray(3072, 3076)], [7, 8, 9, 10]);
  assert.equal(a.pixels[3072 + 1024], (7 + 1024) % 256); // green plane of image 1
}

test('hand-built Python 2 protocol-2 pickle of a CIFAR batch', () => {
  const a = parseCifarPickle(python2Pickle(2, [3, 7]), 'batch');
  checkBatch(a, 2, [3, 7]);
  const d = loadPickle(python2Pickle(1, [5])) as Map<string, unknown>;
  assert.deepEqual([...d.keys()], ['data', 'labels', 'batch_label']);
});

test('pickles written by Python 3 (protocols 2, 4, 5) parse the same', (t) => {
  const missing = skipWithout('numpy');
  if (missing) return t.skip(missing);
  for (const proto of [2, 4, 5]) {
    const f = path.join(tmp, `py3-${proto}.pkl`);
    execFileSync(PY, ['-c', `
import pickle, numpy as np
n = 3
data = ((7 * np.arange(n)[:, None] + np.arange(3072)[None, :]) % 256).astype(np.uint8)
with open(${JSON.stringify(f)}, 'wb') as fh:
    pickle.dump({b'batch_label': b'x', b'labels': [1, 0, 9], b'data': data, b'filenames': [b'a.png', b'b.png', b'c.png']}, fh, protocol=${proto})
`]);
    checkBatch(parseCifarPickle(readFileSync(f), f), 3, [1, 0, 9]);
  }
});

test('pickle reader refuses globals other than numpy arrays', () => {
  const evil = Buffer.concat([Buffer.from([0x80, 2]), Buffer.from("cos\nsystem\nU\x02lsR.", 'latin1')]);
  assert.throws(() => loadPickle(evil, 'evil.pkl'), /evil\.pkl.*unsupported global os\.system/);
});

test('CIFAR-10 binary batches and python batches load as the same dataset', async () => {
  const binRoot = path.join(tmp, 'bin');
  const bd = path.join(binRoot, 'cifar-10-batches-bin');
  mkdirSync(bd, { recursive: true });
  for (let i = 1; i <= 5; i++) writeFileSync(path.join(bd, `data_batch_${i}.bin`), binBatch([[i], [i + 1]]));
  writeFileSync(path.join(bd, 'test_batch.bin'), binBatch([[9], [0], [4]]));
  writeFileSync(path.join(bd, 'batches.meta.txt'), CIFAR10_CLASSES.join('\n') + '\n\n');
  const pyRoot = path.join(tmp, 'py');
  const pd = path.join(pyRoot, 'cifar-10-batches-py');
  mkdirSync(pd, { recursive: true });
  for (let i = 1; i <= 5; i++) writeFileSync(path.join(pd, `data_batch_${i}`), python2Pickle(2, [i, i + 1]));
  writeFileSync(path.join(pd, 'test_batch'), python2Pickle(3, [9, 0, 4]));

  for (const root of [binRoot, pyRoot]) {
    const train = await cifar10({ root, split: 'train' });
    assert.equal(train.length, 10);
    assert.deepEqual(train.imageShape, [3, 32, 32]);
    assert.deepEqual([...train.labels!], [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
    assert.deepEqual(train.classNames, CIFAR10_CLASSES);
    const testSet = await cifar10({ root, split: 'test' });
    assert.deepEqual(labelHistogram(testSet), [1, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    const x = testSet.getBatch([1]).inputs;
    assert.deepEqual(x.shape, [1, 3, 32, 32]);
    // Image 1 (of the batch file): channel 0 row 0 starts at 7, channel 1 at (7 + 1024) % 256.
    assert.deepEqual(x.index(0, 0, 0).toFlatArray().slice(0, 3), [7, 8, 9]);
    assert.equal(x.index(0, 1, 0, 0).item(), (7 + 1024) % 256);
  }
});

test('CIFAR-100 binary: fine and coarse labels', async () => {
  const d = path.join(tmp, 'c100', 'cifar-100-binary');
  mkdirSync(d, { recursive: true });
  writeFileSync(path.join(d, 'train.bin'), binBatch([[19, 99], [0, 3]]));
  writeFileSync(path.join(d, 'test.bin'), binBatch([[4, 50]]));
  const root = path.dirname(d);
  const fine = await cifar100({ root, split: 'train' });
  assert.deepEqual([...fine.labels!], [99, 3]);
  assert.equal(fine.classNames.length, 100);
  const coarse = await cifar100({ root, split: 'train' }, { labelMode: 'coarse' });
  assert.deepEqual([...coarse.labels!], [19, 0]);
  assert.equal(coarse.classNames.length, 20);
});

test('truncated binary batch is an error naming the file', () => {
  assert.throws(() => parseCifarBin(binBatch([[1]]).subarray(0, 3000), 1, 'x/data_batch_1.bin'), /x\/data_batch_1\.bin: 3000 bytes is not a whole number of 3073-byte/);
});

test('parseCifarBin without options reads CIFAR-10 records; a wrong or missing label size is named', () => {
  const ten = parseCifarBin(binBatch([[3], [9], [0]]));
  assert.deepEqual([...ten.labels], [3, 9, 0]);
  assert.equal(ten.pixels.length, 3 * 3072);
  assert.deepEqual([...ten.pixels.subarray(3072, 3075)], [7, 8, 9]);
  assert.equal(ten.coarseLabels, undefined);
  // Two CIFAR-100 records (3074 bytes each) are no whole number of CIFAR-10 records: the error says which option fits.
  assert.throws(() => parseCifarBin(binBatch([[1, 2], [3, 4]]), undefined, 'train.bin'),
    /train\.bin: 6148 bytes is not a whole number of 3073-byte CIFAR records; it is a whole number of 3074-byte records: pass labelBytes 2 for CIFAR-100/);
  assert.throws(() => parseCifarBin(binBatch([[1]]), 3 as 1, 'b.bin'), /b\.bin: labelBytes must be 1 \(CIFAR-10\) or 2 \(CIFAR-100\), got 3/);
  assert.deepEqual([...parseCifarBin(binBatch([[1, 2], [3, 4]]), 2).coarseLabels!], [1, 3]);
});

/** A ustar archive: 512-byte headers with octal sizes and a checksum, data padded to 512. */
function tarOf(entries: { name: string; data?: Buffer; dir?: boolean }[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write((e.data?.length ?? 0).toString(8).padStart(11, '0') + '\0', 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write(e.dir ? '5' : '0', 156);
    h.write('ustar\0' + '00', 257);
    let sum = 0;
    for (const x of h) sum += x;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    parts.push(h);
    if (e.data) parts.push(e.data, Buffer.alloc((512 - (e.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

test('tar.gz extraction: CIFAR archive layout unpacks and loads', async () => {
  const root = path.join(tmp, 'tgz');
  mkdirSync(root);
  const archive = path.join(root, 'cifar-10-binary.tar.gz');
  writeFileSync(archive, gzipSync(tarOf([
    { name: 'cifar-10-batches-bin/', dir: true },
    ...[1, 2, 3, 4, 5].map((i) => ({ name: `cifar-10-batches-bin/data_batch_${i}.bin`, data: binBatch([[i % 10]]) })),
    { name: 'cifar-10-batches-bin/test_batch.bin', data: binBatch([[8], [8]]) },
  ])));
  const written = await extractTar(archive, root);
  assert.equal(written.length, 6);
  const ds = await cifar10({ root, split: 'test' });
  assert.deepEqual([...ds.labels!], [8, 8]);
  assert.equal([...readTar(tarOf([{ name: 'a', data: Buffer.from('hello') }]))][0]!.data.toString(), 'hello');
});

test('tar entries escaping the destination are refused', async () => {
  const archive = path.join(tmp, 'evil.tar');
  writeFileSync(archive, tarOf([{ name: '../escape.txt', data: Buffer.from('x') }]));
  await assert.rejects(extractTar(archive, path.join(tmp, 'evil-out')), /points outside/);
  assert.equal(existsSync(path.join(tmp, 'escape.txt')), false);
});

test('missing CIFAR directory: error lists what was looked for', async () => {
  await assert.rejects(cifar10({ root: path.join(tmp, 'nothing'), split: 'train' }), /cifar-10-batches-bin or cifar-10-batches-py.*download: true/);
});
