import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { decodeImage, encodePng, encodeJpeg, writeImage } from '../../src/data/image-io.js';
import { imageGrid, writeImageGrid } from '../../src/data/image-grid.js';
import { tensor, zeros, ones } from '../../src/torch/index.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-imgio-'));

// A 2×3 RGB image, channel-major: R plane 0..5, G plane 10..15, B plane 20..25.
const chw = tensor(Uint8Array.from({ length: 18 }, (_, k) => 10 * Math.floor(k / 6) + (k % 6)), { shape: [3, 2, 3] });

test('PNG round trip is exact, CHW and HWC layouts', async () => {
  const png = await encodePng(chw);
  const meta = await sharp(png).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['png', 3, 2, 3]);
  const back = await decodeImage(png);
  assert.deepEqual(back.shape, [3, 2, 3]);
  assert.equal(back.dtype, 'uint8');
  assert.deepEqual(back.toFlatArray(), chw.toFlatArray());
  const hwc = await decodeImage(png, { layout: 'hwc' });
  assert.deepEqual(hwc.shape, [2, 3, 3]);
  assert.deepEqual(hwc.index(0, 1).toFlatArray(), [1, 11, 21]); // pixel (row 0, col 1)
  assert.deepEqual(await encodePng(hwc, { layout: 'hwc' }), png);
});

test('float images in [0, 1] encode as value·255', async () => {
  const f = tensor([[[0, 0.5, 1]]]); // 1×1×3
  const back = await decodeImage(await encodePng(f));
  assert.deepEqual(back.toFlatArray(), [0, 128, 255]);
});

test('grayscale stays one channel; channels: 3 expands it; channels: 1 converts colour', async () => {
  const gray = tensor(Uint8Array.of(0, 50, 100, 150, 200, 250), { shape: [1, 2, 3] });
  const png = await encodePng(gray);
  assert.equal((await sharp(png).metadata()).channels, 1);
  const g = await decodeImage(png);
  assert.deepEqual(g.shape, [1, 2, 3]);
  assert.deepEqual(g.toFlatArray(), [0, 50, 100, 150, 200, 250]);
  const rgb = await decodeImage(png, { channels: 3 });
  assert.deepEqual(rgb.shape, [3, 2, 3]);
  assert.deepEqual(rgb.index(2).toFlatArray(), [0, 50, 100, 150, 200, 250]);
  const white = await encodePng(ones([3, 2, 2], { dtype: 'uint8' }).mul(255).to('uint8'));
  assert.deepEqual((await decodeImage(white, { channels: 1 })).toFlatArray(), [255, 255, 255, 255]);
});

test('resize on load to [h, w] or a square size', async () => {
  const flat = await encodePng(zeros([3, 10, 20], { dtype: 'uint8' }).add(77).to('uint8'));
  const a = await decodeImage(flat, { size: [5, 8] });
  assert.deepEqual(a.shape, [3, 5, 8]);
  assert.deepEqual([...new Set(a.toFlatArray())], [77]); // a constant image stays constant
  assert.deepEqual((await decodeImage(flat, { size: 4 })).shape, [3, 4, 4]);
});

test('JPEG encodes with the requested quality and decodes close to the source', async () => {
  const img = zeros([3, 16, 16], { dtype: 'uint8' }).add(120).to('uint8');
  const hi = await encodeJpeg(img, { quality: 95 });
  assert.equal((await sharp(hi).metadata()).format, 'jpeg');
  const back = (await decodeImage(hi)).toFlatArray();
  assert.ok(back.every((v) => Math.abs(v - 120) <= 2), `max error ${Math.max(...back.map((v) => Math.abs(v - 120)))}`);
  const noisy = tensor(Uint8Array.from({ length: 3 * 64 * 64 }, (_, i) => (i * 7919) % 256), { shape: [3, 64, 64] });
  assert.ok((await encodeJpeg(noisy, { quality: 20 })).length < (await encodeJpeg(noisy, { quality: 95 })).length);
});

test('writeImage writes atomically by extension and leaves no temp files', async () => {
  const f = path.join(tmp, 'out.png');
  await writeImage(f, chw);
  assert.deepEqual((await decodeImage(f)).toFlatArray(), chw.toFlatArray());
  await writeImage(path.join(tmp, 'out.jpg'), chw, { quality: 80 });
  assert.deepEqual(readdirSync(tmp).sort(), ['out.jpg', 'out.png']);
  await assert.rejects(writeImage(path.join(tmp, 'out.xyz'), chw), /out\.xyz: unsupported extension/);
});

test('missing, truncated and undecodable files: errors name the file', async () => {
  const missing = path.join(tmp, 'missing.png');
  await assert.rejects(decodeImage(missing), (e: Error) => e.message.includes(missing) && /not found/.test(e.message));
  const png = await encodePng(tensor(Uint8Array.from({ length: 3 * 32 * 32 }, (_, i) => i % 251), { shape: [3, 32, 32] }));
  const truncated = path.join(tmp, 'truncated.png');
  writeFileSync(truncated, png.subarray(0, png.length - 40));
  await assert.rejects(decodeImage(truncated), (e: Error) => e.message.includes(truncated));
  const garbage = path.join(tmp, 'garbage.jpg');
  writeFileSync(garbage, 'this is not an image');
  await assert.rejects(decodeImage(garbage), (e: Error) => e.message.includes(garbage) && /unsupported image format/.test(e.message));
});

/** Pixels of a decoded PNG as [r, g, b] at (x, y). */
async function pixelsOf(png: Buffer) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { info, at: (x: number, y: number) => [data[(y * info.width + x) * info.channels]!, data[(y * info.width + x) * info.channels + 1]!, data[(y * info.width + x) * info.channels + 2]!], data };
}

test('imageGrid lays out cells, scales, draws borders and coloured captions', async () => {
  // 3 grey 1-channel 8×8 images with values 0, 100, 200; 2 columns, scale 2, padding 3.
  const imgs = tensor(Uint8Array.from({ length: 3 * 64 }, (_, i) => 100 * Math.floor(i / 64)), { shape: [3, 1, 8, 8] });
  const png = await imageGrid(imgs, { cols: 2, scale: 2, padding: 3, captions: ['cat', 'dog', 'bird'], captionColors: ['#00c000', '#ff0000', '#00c000'], borderColors: ['#00c000', '#ff0000', '#00c000'] });
  const { info, at, data } = await pixelsOf(png);
  const capH = 18; // ceil(12 · 1.5)
  const cellW = 16 + 6;
  const cellH = 16 + 6 + capH;
  assert.deepEqual([info.width, info.height], [2 * cellW, 2 * cellH]);
  assert.deepEqual(at(3 + 8, 3 + 8), [0, 0, 0]); // cell 0 centre
  assert.deepEqual(at(cellW + 3 + 8, 3 + 8), [100, 100, 100]); // cell 1
  assert.deepEqual(at(3 + 8, cellH + 3 + 8), [200, 200, 200]); // cell 2, second row
  assert.deepEqual(at(1, 10), [0, 192, 0]); // cell 0 border (green)
  assert.deepEqual(at(cellW + 1, 10), [255, 0, 0]); // cell 1 border (red)
  assert.deepEqual(at(cellW + cellW - 2, cellH + 10), [255, 255, 255]); // empty fourth cell stays background
  // Caption text pixels: in cell 1's caption strip, reddish pixels exist and no greenish ones.
  const strip = (cell: number, test: (r: number, g: number, b: number) => boolean) => {
    let count = 0;
    const x0 = (cell % 2) * cellW;
    const y0 = Math.floor(cell / 2) * cellH + 22;
    for (let y = y0; y < y0 + capH; y++) for (let x = x0; x < x0 + cellW; x++) {
      const k = (y * info.width + x) * info.channels;
      if (test(data[k]!, data[k + 1]!, data[k + 2]!)) count++;
    }
    return count;
  };
  const red = (r: number, g: number, b: number) => r > 150 && g < 120 && b < 120;
  const green = (r: number, g: number, b: number) => g > 100 && r < 100 && b < 100;
  assert.ok(strip(1, red) > 5 && strip(1, green) === 0, `cell 1 caption: ${strip(1, red)} red, ${strip(1, green)} green pixels`);
  assert.ok(strip(0, green) > 5 && strip(0, red) === 0, `cell 0 caption: ${strip(0, green)} green, ${strip(0, red)} red pixels`);
});

test('imageGrid accepts float images and checks its arguments', async () => {
  const f = ones([2, 3, 4, 4]).mul(0.5);
  const { at, info } = await pixelsOf(await imageGrid(f, { scale: 1, padding: 0 }));
  assert.deepEqual([info.width, info.height], [8, 4]);
  assert.deepEqual(at(5, 2), [128, 128, 128]);
  await assert.rejects(imageGrid(f, { captions: ['one'] }), /captions has 1 entries for 2 images/);
  await assert.rejects(imageGrid(ones([2, 4, 4])), /N×C×H×W/);
  const out = path.join(tmp, 'grid', 'g.png');
  await writeImageGrid(out, f, { captions: ['a <&> b', 'ok'] });
  assert.equal((await sharp(out).metadata()).format, 'png');
});
