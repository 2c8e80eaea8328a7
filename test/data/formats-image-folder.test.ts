import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodePng, encodeJpeg } from '../../src/data/image-io.js';
import { imageFolder, labelledImageDir } from '../../src/data/datasets.js';
import { labelHistogram } from '../../src/data/dataset.js';
import { tensor } from '../../src/torch/index.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-folder-'));

/** A constant-colour RGB image. */
async function solid(file: string, h: number, w: number, rgb: [number, number, number], jpeg = false) {
  const t = tensor(Uint8Array.from({ length: 3 * h * w }, (_, k) => rgb[Math.floor(k / (h * w))]!), { shape: [3, h, w] });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, jpeg ? await encodeJpeg(t, { quality: 100 }) : await encodePng(t));
}

// Classes sort as bird < cat < dog; images of assorted sizes and formats.
const root = path.join(tmp, 'animals');
const setup = (async () => {
  await solid(path.join(root, 'cat', 'a.png'), 10, 12, [200, 0, 0]);
  await solid(path.join(root, 'cat', 'b.png'), 7, 5, [201, 0, 0]);
  await solid(path.join(root, 'dog', 'x.jpg'), 20, 20, [0, 0, 250], true);
  await solid(path.join(root, 'bird', 'only.png'), 3, 3, [0, 180, 0]);
  writeFileSync(path.join(root, 'dog', 'notes.txt'), 'not an image, ignored by extension');
})();

test('imageFolder: sorted class folders, any size resized, disk cache on the second load', async () => {
  await setup;
  const cacheDir = path.join(tmp, 'cache');
  const first = await imageFolder(root, { size: [6, 8], cacheDir });
  assert.equal(first.fromCache, false);
  assert.deepEqual(first.classNames, ['bird', 'cat', 'dog']);
  assert.deepEqual([...first.labels!], [0, 1, 1, 2]);
  assert.deepEqual(labelHistogram(first), [1, 2, 1]);
  assert.deepEqual(first.imageShape, [3, 6, 8]);
  assert.deepEqual(first.files.map((f) => path.relative(root, f)), ['bird/only.png', 'cat/a.png', 'cat/b.png', 'dog/x.jpg']);
  const b = first.getBatch([2, 3]);
  assert.deepEqual(b.inputs.index(0, '...', 0, 0).toFlatArray(), [201, 0, 0]);
  const dogPixel = b.inputs.index(1, '...', 3, 4).toFlatArray();
  assert.ok(Math.abs(dogPixel[2]! - 250) <= 3 && dogPixel[0]! <= 3, `dog pixel ${dogPixel}`);
  assert.deepEqual(readdirSync(cacheDir).map((f) => path.extname(f)).sort(), ['.bin', '.json']);

  const second = await imageFolder(root, { size: [6, 8], cacheDir });
  assert.equal(second.fromCache, true);
  assert.deepEqual(second.getBatch([0, 1, 2, 3]).inputs.toFlatArray(), first.getBatch([0, 1, 2, 3]).inputs.toFlatArray());
  assert.deepEqual([...second.labels!], [...first.labels!]);

  // A different size, or a touched file, is a different cache entry.
  assert.equal((await imageFolder(root, { size: 4, cacheDir })).fromCache, false);
  utimesSync(path.join(root, 'cat', 'a.png'), new Date(), new Date(Date.now() + 5000));
  assert.equal((await imageFolder(root, { size: [6, 8], cacheDir })).fromCache, false);
});

test('imageFolder: channels 1 gives grayscale', async () => {
  await setup;
  const ds = await imageFolder(root, { size: 4, channels: 1, cacheDir: false });
  assert.deepEqual(ds.imageShape, [1, 4, 4]);
});

test('imageFolder: a bad file fails naming it, or is skipped with skipBad', async () => {
  const r = path.join(tmp, 'withbad');
  await solid(path.join(r, 'a', '1.png'), 4, 4, [1, 2, 3]);
  await solid(path.join(r, 'b', '2.png'), 4, 4, [4, 5, 6]);
  const bad = path.join(r, 'b', 'broken.png');
  writeFileSync(bad, 'garbage bytes');
  await assert.rejects(imageFolder(r, { size: 4, cacheDir: false }), (e: Error) => e.message.includes(bad));
  const ds = await imageFolder(r, { size: 4, skipBad: true, cacheDir: path.join(tmp, 'cache2') });
  assert.deepEqual(ds.skipped, [bad]);
  assert.equal(ds.length, 2);
  assert.deepEqual([...ds.labels!], [0, 1]);
  const again = await imageFolder(r, { size: 4, skipBad: true, cacheDir: path.join(tmp, 'cache2') });
  assert.equal(again.fromCache, true);
  assert.deepEqual(again.skipped, [bad]);
  await assert.rejects(imageFolder(path.join(tmp, 'nope'), { size: 4 }), /nope is not a directory/);
});

test('labelledImageDir: noisy labels per line, clean labels for the first M, counts checked', async () => {
  const r = path.join(tmp, 'noisy');
  for (let i = 1; i <= 5; i++) await solid(path.join(r, 'images', `${String(i).padStart(5, '0')}.png`), 4, 4, [10 * i, 0, 0]);
  writeFileSync(path.join(r, 'noisy_labels.csv'), 'label\n1\n0\n2\n2\n1\n');
  writeFileSync(path.join(r, 'clean_labels.csv'), '1\n1\n2\n');
  const d = await labelledImageDir(r);
  assert.deepEqual([...d.noisyLabels!], [1, 0, 2, 2, 1]);
  assert.deepEqual([...d.cleanLabels!], [1, 1, 2]);
  assert.deepEqual([...d.cleanIndices!], [0, 1, 2]);
  assert.deepEqual(d.classNames, ['0', '1', '2']);
  assert.equal(d.noisy!.length, 5);
  assert.equal(d.clean!.length, 3);
  assert.deepEqual(labelHistogram(d.noisy!), [1, 2, 2]);
  assert.deepEqual(d.clean!.getBatch([1]).inputs.index(0, 0, 0, 0).item(), 20);
  assert.deepEqual(d.clean!.getBatch([1]).targets.toFlatArray(), [1]);

  // filename,label rows pick images by name.
  writeFileSync(path.join(r, 'by_name.csv'), 'file,label\n00004.png,0\n00002.png,2\n');
  const n = await labelledImageDir(r, { cleanLabels: 'by_name.csv', size: 2 });
  assert.deepEqual([...n.cleanIndices!], [3, 1]);
  assert.deepEqual(n.clean!.getBatch([0]).inputs.index(0, 0, 0, 0).item(), 40);
  assert.deepEqual(n.noisy!.imageShape, [3, 2, 2]);

  writeFileSync(path.join(r, 'short.csv'), '1\n0\n2\n');
  await assert.rejects(labelledImageDir(r, { noisyLabels: 'short.csv' }), (e: Error) =>
    e.message.includes(path.join(r, 'short.csv')) && e.message.includes('3 labels') && e.message.includes('5 images'));
  writeFileSync(path.join(r, 'long.csv'), '1\n0\n2\n1\n1\n1\n');
  await assert.rejects(labelledImageDir(r, { cleanLabels: 'long.csv' }), /long\.csv has 6 labels.*5 images/);
});

test('images of different sizes without size: error names both files', async () => {
  const r = path.join(tmp, 'mixed');
  await solid(path.join(r, 'images', '1.png'), 4, 4, [0, 0, 0]);
  await solid(path.join(r, 'images', '2.png'), 5, 4, [0, 0, 0]);
  writeFileSync(path.join(r, 'noisy_labels.csv'), '0\n1\n');
  await assert.rejects(labelledImageDir(r), (e: Error) => e.message.includes('2.png') && e.message.includes('1.png') && /size/.test(e.message));
});
