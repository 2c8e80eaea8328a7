// Single-garment images in the scenes' style: one garment of the source per image, labelled
// with its class, deterministic from the seed; blank garments are drawn again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { garmentImages, type GarmentSource } from '../../src/data/index.js';

/** Three 28×28 garments: a filled square (class 2), a vertical bar (class 5) and a blank image (class 7). */
function source(): GarmentSource {
  const pixels = new Uint8Array(3 * 784);
  for (let y = 4; y < 24; y++) for (let x = 4; x < 24; x++) pixels[y * 28 + x] = 200;
  for (let y = 0; y < 28; y++) for (let x = 12; x < 16; x++) pixels[784 + y * 28 + x] = 255;
  return { pixels, labels: Int32Array.from([2, 5, 7]), count: 3 };
}

test('garment images: one visible garment each, labelled with its class, the same for the same seed', () => {
  const a = garmentImages(source(), { count: 200, size: 24, seed: 1 });
  assert.deepEqual(a.images.shape, [200, 3, 24, 24]);
  assert.equal(a.images.dtype, 'uint8');
  assert.equal(a.classNames.length, 10);
  const labels = [...a.labels!];
  // The blank garment never makes an image; the other two share the draws.
  assert.ok(labels.every((l) => l === 2 || l === 5), `labels ${[...new Set(labels)]}`);
  const squares = labels.filter((l) => l === 2).length;
  assert.ok(squares > 70 && squares < 130, `${squares} squares of 200`);
  assert.deepEqual([...(a.targets.toFlatArray() as number[])].map(Number), labels);
  const b = garmentImages(source(), { count: 200, size: 24, seed: 1 });
  const c = garmentImages(source(), { count: 200, size: 24, seed: 2 });
  const bytes = (d: typeof a) => Buffer.from(d.images.toTypedArray() as Uint8Array);
  assert.ok(bytes(a).equals(bytes(b)), 'one seed, one set of images');
  assert.ok(!bytes(a).equals(bytes(c)), 'another seed, other images');
  for (const d of [a, b, c]) { d.images.dispose(); d.targets.dispose(); }
});

test('garment images: a square is a larger patch of its tint than a bar', () => {
  // The garment is painted in one saturated tint times its shading; a 20×20 square at side s covers
  // (20/28)² of the s×s box, the 4-pixel bar 4/28 of it, so the pixels far from the image median differ.
  const d = garmentImages(source(), { count: 60, size: 32, minSide: 28, maxSide: 28, seed: 3 });
  const px = d.images.toTypedArray() as Uint8Array;
  const plane = 32 * 32;
  const painted = (n: number) => {
    let count = 0;
    for (let p = 0; p < plane; p++) {
      const rgb = [0, 1, 2].map((c) => px[n * 3 * plane + c * plane + p]!);
      // Tints have saturation >= 0.55 (and values up to 255); the muted backgrounds at most 0.35 plus grain.
      const max = Math.max(...rgb), min = Math.min(...rgb);
      if (max > 0 && (max - min) / max > 0.5) count++;
    }
    return count;
  };
  const byClass = new Map<number, number[]>();
  d.labels!.forEach((l, n) => byClass.set(l, [...(byClass.get(l) ?? []), painted(n)]));
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  assert.ok(mean(byClass.get(2)!) > 2 * mean(byClass.get(5)!), `square ${mean(byClass.get(2)!)}, bar ${mean(byClass.get(5)!)} saturated pixels`);
  d.images.dispose();
  d.targets.dispose();
});

test('garment images: errors name the option', () => {
  assert.throws(() => garmentImages(source(), { count: 0 }), /garmentImages: count must be a positive integer, got 0/);
  assert.throws(() => garmentImages(source(), { count: 2, size: 16, maxSide: 20 }), /1 <= minSide <= maxSide <= size \(16\), got 16 and 20/);
  const blank: GarmentSource = { pixels: new Uint8Array(784), labels: Int32Array.from([0]), count: 1 };
  assert.throws(() => garmentImages(blank, { count: 1 }), /1000 garments in a row left no visible pixels/);
});
