import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { encodePng } from '../../src/data/image-io.js';
import { segmentationDataset, multilabelDataset, vocColormap, VOC_CLASSES } from '../../src/data/datasets.js';
import { tensor } from '../../src/torch/index.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-seg-'));

test('VOC colormap matches the published palette', () => {
  const cm = vocColormap();
  // From the VOC devkit's labelcolormap: background, aeroplane, bicycle, ..., person (15), void (255).
  assert.deepEqual(cm[0], [0, 0, 0]);
  assert.deepEqual(cm[1], [128, 0, 0]);
  assert.deepEqual(cm[2], [0, 128, 0]);
  assert.deepEqual(cm[3], [128, 128, 0]);
  assert.deepEqual(cm[15], [192, 128, 128]);
  assert.deepEqual(cm[20], [0, 64, 128]);
  assert.deepEqual(cm[255], [224, 224, 192]);
});

/** A palette (colour type 3) PNG like VOC's SegmentationClass files: one palette index per pixel. */
function palettePng(w: number, h: number, indices: number[], palette: [number, number, number][]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 3, 0, 0, 0], 8); // 8-bit, palette, deflate, no filter method, no interlace
  const rows = Buffer.concat(Array.from({ length: h }, (_, y) => Buffer.from([0, ...indices.slice(y * w, (y + 1) * w)])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('PLTE', Buffer.from(palette.flat())), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function rgbImage(file: string, h: number, w: number, value: number) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, await encodePng(tensor(new Uint8Array(3 * h * w).fill(value), { shape: [3, h, w] })));
}

test('index masks (grey levels, 255 = ignore) and VOC palette masks', async () => {
  const root = path.join(tmp, 'seg');
  await rgbImage(path.join(root, 'images', 'a.png'), 2, 3, 10);
  await rgbImage(path.join(root, 'images', 'b.jpg'), 2, 3, 20);
  // a: grey-level indices.
  mkdirSync(path.join(root, 'masks'), { recursive: true });
  writeFileSync(path.join(root, 'masks', 'a.png'), await encodePng(tensor(Uint8Array.of(0, 1, 2, 255, 1, 0), { shape: [1, 2, 3] })));
  // b: the same classes as VOC colours, saved as a palette PNG like VOC's SegmentationClass.
  const cm = vocColormap();
  const ids = [2, 0, 15, 255, 1, 1];
  writeFileSync(path.join(root, 'masks', 'b.png'), palettePng(3, 2, ids, cm));
  assert.equal((await sharp(path.join(root, 'masks', 'b.png')).metadata()).isPalette, true);

  const ds = await segmentationDataset(root);
  assert.equal(ds.length, 2);
  assert.deepEqual(ds.imageShape, [3, 2, 3]);
  assert.deepEqual(ds.classNames, VOC_CLASSES);
  const batch = ds.getBatch([0, 1]);
  assert.equal(batch.targets.dtype, 'int64');
  assert.deepEqual(batch.targets.toArray(), [[[0, 1, 2], [255, 1, 0]], [[2, 0, 15], [255, 1, 1]]]);
  assert.deepEqual(batch.inputs.index(1, 0, 0, 0).item(), 20);

  // Resizing uses nearest neighbour for masks: only values that were there come out.
  const big = await segmentationDataset(root, { size: [4, 6], maskFormat: 'auto' });
  const values = new Set(big.getBatch([0, 1]).targets.toFlatArray());
  assert.deepEqual([...values].sort((a, b) => a - b), [0, 1, 2, 15, 255]);
  assert.deepEqual(big.getBatch([0]).targets.shape, [1, 4, 6]);
});

test('segmentation errors: missing mask and off-palette colour name the file', async () => {
  const root = path.join(tmp, 'seg-bad');
  await rgbImage(path.join(root, 'images', 'c.png'), 2, 2, 0);
  mkdirSync(path.join(root, 'masks'), { recursive: true });
  await assert.rejects(segmentationDataset(root), /c\.png has no mask/);
  const mask = path.join(root, 'masks', 'c.png');
  writeFileSync(mask, await sharp(Uint8Array.of(1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0), { raw: { width: 2, height: 2, channels: 3 } }).png().toBuffer());
  await assert.rejects(segmentationDataset(root), (e: Error) => e.message.includes(mask) && /rgb\(1, 2, 3\).*not in the VOC palette/.test(e.message));
});

test('multilabel CSV: filename + one 0/1 column per class gives float targets', async () => {
  const root = path.join(tmp, 'ml');
  await rgbImage(path.join(root, 'img', 'p.png'), 4, 4, 1);
  await rgbImage(path.join(root, 'img', 'q.png'), 4, 4, 2);
  const csv = path.join(root, 'labels.csv');
  writeFileSync(csv, 'filename,sky,tree,car\nimg/p.png,1,0,1\nimg/q.png,0,0,1\n');
  const ds = await multilabelDataset(csv);
  assert.deepEqual(ds.classNames, ['sky', 'tree', 'car']);
  const b = ds.getBatch([0, 1]);
  assert.equal(b.targets.dtype, 'float32');
  assert.deepEqual(b.targets.toArray(), [[1, 0, 1], [0, 0, 1]]);
  assert.deepEqual(b.inputs.index(1, 0, 0, 0).item(), 2);
  writeFileSync(csv, 'filename,sky,tree\nimg/p.png,1,x\n');
  await assert.rejects(multilabelDataset(csv), /labels\.csv: row 2, column 'tree': expected 0 or 1, got 'x'/);
});
