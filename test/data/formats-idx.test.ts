import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { parseIdx, readIdxPair, encodeIdx } from '../../src/data/formats/idx.js';
import { fashionMnist, mnist, FASHION_MNIST_CLASSES } from '../../src/data/datasets.js';
import { labelHistogram } from '../../src/data/dataset.js';
import { skipWithout } from '../support/require-reference.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-idx-'));

// 3 images of 2×3 pixels with values 0..17, and labels 2, 0, 1.
const pixels = Uint8Array.from({ length: 18 }, (_, i) => i);
const imagesIdx = encodeIdx(pixels, [3, 2, 3]);
const labelsIdx = encodeIdx(Uint8Array.from([2, 0, 1]), [3]);

test('IDX header: magic 0x00000803 and big-endian dims', () => {
  assert.deepEqual([...imagesIdx.subarray(0, 16)], [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 3]);
  const a = parseIdx(imagesIdx);
  assert.equal(a.dtype, 'uint8');
  assert.deepEqual(a.shape, [3, 2, 3]);
  assert.deepEqual([...a.data], [...pixels]);
});

test('IDX int32 and float32 are read big-endian', () => {
  const b = Buffer.alloc(4 + 4 + 8);
  b.set([0, 0, 0x0c, 1]);
  b.writeUInt32BE(2, 4);
  b.writeInt32BE(-5, 8);
  b.writeInt32BE(70000, 12);
  assert.deepEqual([...parseIdx(b).data], [-5, 70000]);
  const f = Buffer.alloc(12);
  f.set([0, 0, 0x0d, 1]);
  f.writeUInt32BE(1, 4);
  f.writeFloatBE(1.5, 8);
  assert.deepEqual([...parseIdx(f).data], [1.5]);
});

test('gzipped and raw IDX files give the same dataset', async () => {
  const gzDir = path.join(tmp, 'gz');
  const rawDir = path.join(tmp, 'raw');
  for (const d of [gzDir, rawDir]) mkdirSync(d);
  writeFileSync(path.join(gzDir, 'train-images-idx3-ubyte.gz'), gzipSync(imagesIdx));
  writeFileSync(path.join(gzDir, 'train-labels-idx1-ubyte.gz'), gzipSync(labelsIdx));
  writeFileSync(path.join(rawDir, 'train-images-idx3-ubyte'), imagesIdx);
  writeFileSync(path.join(rawDir, 'train-labels-idx1-ubyte'), labelsIdx);
  for (const root of [gzDir, rawDir]) {
    const ds = await mnist({ root, split: 'train', cacheDir: path.join(tmp, 'nocache') });
    assert.equal(ds.length, 3);
    assert.deepEqual(ds.imageShape, [1, 2, 3]);
    assert.deepEqual([...ds.labels!], [2, 0, 1]);
    const b = ds.getBatch([2, 0]);
    assert.equal(b.inputs.dtype, 'uint8');
    assert.equal(b.targets.dtype, 'int64');
    assert.deepEqual(b.inputs.toArray(), [[[[12, 13, 14], [15, 16, 17]]], [[[0, 1, 2], [3, 4, 5]]]]);
    assert.deepEqual(b.targets.toFlatArray(), [1, 2]);
    assert.deepEqual(labelHistogram(ds), [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
  }
});

test('truncated IDX file: error names the file and the byte counts', () => {
  const f = path.join(tmp, 'short-images-idx3-ubyte');
  writeFileSync(f, imagesIdx.subarray(0, imagesIdx.length - 5));
  writeFileSync(path.join(tmp, 'l'), labelsIdx);
  assert.throws(() => readIdxPair(f, path.join(tmp, 'l')), (e: Error) =>
    e.message.includes(f) && /truncated/.test(e.message) && e.message.includes('needs 34 bytes, file has 29'));
  const gz = path.join(tmp, 'short.gz');
  writeFileSync(gz, gzipSync(imagesIdx).subarray(0, 20));
  assert.throws(() => readIdxPair(gz, path.join(tmp, 'l')), (e: Error) => e.message.includes(gz) && /gzip/.test(e.message));
});

test('label count not matching image count names both files and counts', () => {
  const img = path.join(tmp, 'img3');
  const lab = path.join(tmp, 'lab2');
  writeFileSync(img, imagesIdx);
  writeFileSync(lab, encodeIdx(Uint8Array.from([1, 1]), [2]));
  assert.throws(() => readIdxPair(img, lab), (e: Error) =>
    e.message.includes(img) && e.message.includes(lab) && e.message.includes('2 labels') && e.message.includes('3 images'));
});

test('missing files without download: error says where it looked', async () => {
  await assert.rejects(fashionMnist({ root: path.join(tmp, 'absent'), split: 'test', cacheDir: path.join(tmp, 'c') }),
    (e: Error) => e.message.includes('t10k-images-idx3-ubyte.gz') && e.message.includes('download: true'));
});

test('real Fashion-MNIST: 60,000 + 10,000 images, 6,000 / 1,000 per class', async (t) => {
  const missing = skipWithout('fashion-mnist');
  if (missing) return t.skip(missing);
  const train = await fashionMnist({ split: 'train' });
  const testSet = await fashionMnist({ split: 'test' });
  assert.equal(train.length, 60000);
  assert.equal(testSet.length, 10000);
  assert.deepEqual(train.imageShape, [1, 28, 28]);
  assert.deepEqual(train.classNames, FASHION_MNIST_CLASSES);
  assert.deepEqual(labelHistogram(train), new Array(10).fill(6000));
  assert.deepEqual(labelHistogram(testSet), new Array(10).fill(1000));
  // First training label of Fashion-MNIST is 9 (ankle boot); values are full-range uint8.
  assert.equal(train.labels![0], 9);
  // Reference sums from numpy over the same gz file (np.frombuffer(gzip.open(f).read(), np.uint8, offset=16)).
  const b = train.getBatch([0, 59999]);
  assert.equal(b.inputs.index(0).sum().item(), 76247);
  assert.equal(b.inputs.index(1).sum().item(), 16684);
  assert.deepEqual(b.inputs.index(0, 0, 14).toFlatArray().slice(0, 8), [0, 0, 1, 4, 6, 7, 2, 0]);
  assert.equal(train.getBatch(Array.from({ length: 60000 }, (_, i) => i)).inputs.sum().item(), 3431114169);
});
