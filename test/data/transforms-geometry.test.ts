// Geometric transforms: flips, crops, resizing, rotations and affines, and masks moved with images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, tensor, ops, tidy, type Tensor } from '../../src/torch/index.js';
import {
  hflip, vflip, RandomHorizontalFlip, RandomVerticalFlip, crop, centerCrop, CenterCrop, RandomCrop,
  resize, Resize, rotate, affine, RandomRotation, RandomAffine, RandomResizedCrop, compose,
} from '../../src/data/transforms/index.js';

function close(actual: number[], expected: number[], atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= atol, `${what}[${i}]: ${v} vs ${expected[i]}`));
}

/** [n, c, h, w] images whose pixel values are all distinct: value = ((n·c + ch)·h + y)·w + x. */
function arangeImages(n: number, c: number, h: number, w: number): Tensor {
  return arange(0, n * c * h * w).reshape(n, c, h, w).float();
}

test('flipping twice is the identity, and a flip mirrors the last axis', () => tidy(() => {
  const x = arangeImages(2, 3, 4, 5);
  assert.ok(hflip(hflip(x)).eq(x).all().item());
  assert.ok(vflip(vflip(x)).eq(x).all().item());
  assert.deepEqual(hflip(x).index(0, 0, 0).toFlatArray(), [4, 3, 2, 1, 0]);
  assert.deepEqual(vflip(x).select(0, 0).select(0, 0).select(1, 0).toFlatArray(), [15, 10, 5, 0]);
  const twice = compose([new RandomHorizontalFlip(1), new RandomHorizontalFlip(1)]);
  assert.ok(twice.apply(x).eq(x).all().item());
  assert.ok(new RandomVerticalFlip(1).apply(x).eq(vflip(x)).all().item());
}));

test('random flips choose per sample, about p of them, and nothing in eval mode', () => tidy(() => {
  const x = arangeImages(200, 1, 2, 3);
  const t = new RandomHorizontalFlip(0.5, { seed: 3 });
  const y = t.apply(x);
  const same = ops.all$dim(y.eq(x).flatten(1), 1).toFlatArray();
  const flipped = ops.all$dim(y.eq(hflip(x)).flatten(1), 1).toFlatArray();
  same.forEach((s, i) => assert.ok(s !== flipped[i], `sample ${i} must be either unchanged or mirrored`));
  const count = flipped.reduce((a, b) => a + b, 0);
  assert.ok(count > 70 && count < 130, `flipped ${count} of 200 with p = 0.5`);
  assert.equal(t.eval().apply(x), x);
}));

test('crop and centerCrop return the expected sub-window (zero padded outside)', () => tidy(() => {
  const x = arangeImages(1, 1, 5, 6); // rows 0..5, 6..11, ...
  assert.deepEqual(crop(x, 1, 2, 2, 3).toFlatArray(), [8, 9, 10, 14, 15, 16]);
  assert.deepEqual(crop(x, -1, 4, 2, 3).toFlatArray(), [0, 0, 0, 4, 5, 0]);
  // torchvision: top = round((5 - 3) / 2) = 1, left = round((6 - 4) / 2) = 1.
  assert.deepEqual(centerCrop(x, [3, 4]).toFlatArray(), [7, 8, 9, 10, 13, 14, 15, 16, 19, 20, 21, 22]);
  assert.deepEqual(new CenterCrop([3, 4]).apply(x.to('uint8')).dtype, 'uint8');
}));

/** JS reference of a padded single-channel image. */
function padded(img: number[][], p: number, mode: 'zeros' | 'reflect'): number[][] {
  const h = img.length;
  const w = img[0]!.length;
  const reflect = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  return Array.from({ length: h + 2 * p }, (_, y) => Array.from({ length: w + 2 * p }, (_, x) => {
    const sy = y - p;
    const sx = x - p;
    if (mode === 'zeros') return sy < 0 || sy >= h || sx < 0 || sx >= w ? 0 : img[sy]![sx]!;
    return img[reflect(sy, h)]![reflect(sx, w)]!;
  }));
}

for (const mode of ['zeros', 'reflect'] as const) {
  test(`RandomCrop (padding 2, ${mode}) gives windows of the padded image at varied offsets`, () => tidy(() => {
    const n = 40;
    const x = arange(1, 1 + n * 6 * 6).reshape(n, 1, 6, 6).to('uint8'); // values wrap at 256: still a fixed pattern
    const out = new RandomCrop(4, { padding: 2, paddingMode: mode, seed: 11 }).apply(x);
    assert.deepEqual(out.shape, [n, 1, 4, 4]);
    assert.equal(out.dtype, 'uint8');
    const imgs = x.toArray() as number[][][][];
    const crops = out.toArray() as number[][][][];
    const offsets = new Set<string>();
    for (let k = 0; k < n; k++) {
      const p = padded(imgs[k]![0]!, 2, mode);
      const c = crops[k]![0]!;
      const matches: string[] = [];
      for (let dy = 0; dy <= 6; dy++) for (let dx = 0; dx <= 6; dx++) {
        if (c.every((row, i) => row.every((v, j) => v === p[dy + i]![dx + j]))) matches.push(`${dy},${dx}`);
      }
      assert.ok(matches.length >= 1, `sample ${k} is not a window of its padded image`);
      offsets.add(matches[0]!);
    }
    assert.ok(offsets.size >= 10, `only ${offsets.size} distinct offsets in ${n} samples`);
  }));
}

test('RandomCrop in eval mode is the centre crop (identity without a size change)', () => tidy(() => {
  const x = arangeImages(3, 2, 6, 6);
  const t = new RandomCrop(6, { padding: 4 }).eval();
  assert.ok(t.apply(x).eq(x).all().item());
  assert.ok(new RandomCrop(4).eval().apply(x).eq(centerCrop(x, 4)).all().item());
}));

test('resize matches torchvision (bilinear, antialias off) and keeps uint8 for nearest', () => tidy(() => {
  const x = arangeImages(1, 1, 5, 6);
  // torchvision 0.14: F.resize(arange(30).reshape(1,1,5,6).float(), [3,4], BILINEAR, antialias=False)
  close(resize(x, [3, 4]).toFlatArray(), [2.25, 3.75, 5.25, 6.75, 12.25, 13.75, 15.25, 16.75, 22.25, 23.75, 25.25, 26.75], 1e-4, 'resize');
  const u = x.to('uint8');
  const near = new Resize([10, 12], { interpolation: 'nearest' }).apply(u);
  assert.equal(near.dtype, 'uint8');
  assert.deepEqual(near.index(0, 0, 0).toFlatArray(), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  // A number is the shorter side, the other keeps the aspect ratio.
  assert.deepEqual(resize(x, 10).shape, [1, 1, 10, 12]);
}));

test('rotation by 0 is the identity; by 90° it equals rot90; other angles match torchvision', () => tidy(() => {
  const x = arangeImages(2, 3, 5, 6);
  assert.ok(rotate(x, 0).eq(x).all().item());
  assert.ok(new RandomRotation(0, { seed: 1 }).apply(x).eq(x).all().item());
  const sq = arangeImages(1, 1, 4, 4);
  close(rotate(sq, 90).toFlatArray(), ops.rot90(sq, 1, [2, 3]).toFlatArray(), 1e-4, 'rotate 90');
  // torchvision 0.14: F.rotate(arange(30).reshape(1,1,5,6).float(), 30.0, interpolation=BILINEAR)
  const rot30 = [0.02396, 1.13999, 3.17468, 7.04071, 10.90673, 4.72518, 0.73806, 4.00481, 7.87083, 11.73686, 15.60289, 16.11748,
    4.83494, 8.70096, 12.56699, 16.43301, 20.29904, 24.16506, 8.09567, 13.39711, 17.26314, 21.12917, 24.99519, 24.8972,
    4.98798, 18.09327, 21.95929, 25.82532, 13.88054, 0.49656];
  close(rotate(arangeImages(1, 1, 5, 6), 30).toFlatArray(), rot30, 2e-4, 'rotate 30');
  // torchvision 0.14: F.affine(same image, angle=-20, translate=[1,-1], scale=1.2, shear=[10,5], interpolation=BILINEAR)
  // (F.affine's angle is clockwise; ours is counter-clockwise, as in F.rotate)
  const aff = [0.01875, 2.68605, 5.65262, 8.6192, 11.58578, 14.55235, 2.47582, 7.08356, 10.05014, 13.01671, 15.98329, 18.94986,
    3.55608, 11.48107, 14.44765, 17.41422, 20.3808, 23.34738, 3.25953, 15.87858, 18.84516, 21.81174, 24.77831, 26.18628,
    1.58616, 18.96959, 23.24267, 23.1209, 14.52634, 5.33403];
  close(affine(arangeImages(1, 1, 5, 6), { angle: 20, translate: [1, -1], scale: 1.2, shear: [10, 5] }).toFlatArray(), aff, 2e-4, 'affine');
}));

test('random rotations differ per sample and keep shape and dtype', () => tidy(() => {
  const x = arangeImages(1, 1, 8, 8).expand(6, 1, 8, 8).to('uint8');
  const y = new RandomRotation(45, { seed: 2 }).apply(x);
  assert.deepEqual(y.shape, [6, 1, 8, 8]);
  assert.equal(y.dtype, 'uint8');
  assert.ok(!y.select(0, 0).eq(y.select(0, 1)).all().item(), 'two samples got the same rotation');
  const t = new RandomAffine({ degrees: 10, translate: [0.1, 0.1], scale: [0.9, 1.1], shear: 5 }).eval();
  assert.equal(t.apply(x), x);
}));

test('RandomResizedCrop: full-image box is the identity, small boxes are exact sub-windows', () => tidy(() => {
  const x = arangeImages(4, 2, 6, 6);
  const full = new RandomResizedCrop(6, { scale: [1, 1], ratio: [1, 1] }).apply(x);
  close(full.toFlatArray(), x.toFlatArray(), 1e-4, 'full crop');
  // Area 1/4 with ratio 1 on 8×8 gives 4×4 boxes; output 4×4 samples their pixel centres exactly.
  const y = arangeImages(5, 1, 8, 8);
  const out = new RandomResizedCrop(4, { scale: [0.25, 0.25], ratio: [1, 1], seed: 4 }).apply(y).toArray() as number[][][][];
  out.forEach((sample, k) => {
    const tl = sample[0]![0]![0]! - k * 64;
    const top = Math.floor(tl / 8);
    const left = Math.round(tl - top * 8);
    const expected = crop(y.select(0, k).unsqueeze(0), top, left, 4, 4).toFlatArray();
    close(sample.flat(2), expected, 1e-3, `sample ${k}`);
  });
  const ev = new RandomResizedCrop([3, 4]).eval().apply(x);
  assert.deepEqual(ev.shape, [4, 2, 3, 4]);
}));

test('applyPair moves masks with their images (crop, flip, affine, resized crop)', () => tidy(() => {
  const n = 8;
  const images = arange(0, n * 3 * 8 * 8).remainder(97).reshape(n, 3, 8, 8).to('uint8');
  const masks = images.select(1, 0).long(); // the mask is the first channel, as labels
  const pipeline = compose([
    new RandomCrop(8, { padding: 2 }),
    new RandomHorizontalFlip(0.5),
    new RandomVerticalFlip(0.5),
    new RandomAffine({ degrees: 30, translate: [0.1, 0.1], interpolation: 'nearest' }),
    new RandomResizedCrop(6, { scale: [0.5, 1], interpolation: 'nearest' }),
  ], { seed: 9 });
  const out = pipeline.applyPair(images, masks);
  assert.deepEqual(out.images.shape, [n, 3, 6, 6]);
  assert.deepEqual(out.masks.shape, [n, 6, 6]);
  assert.equal(out.masks.dtype, 'int64');
  assert.ok(out.images.select(1, 0).long().eq(out.masks).all().item(), 'mask and image channel 0 diverged');
  assert.ok(!out.masks.eq(centerCrop(masks.unsqueeze(1), 6).squeeze(1)).all().item(), 'nothing moved');
}));

test('same seed, same augmented batch; different seed, different batch', () => tidy(() => {
  const x = arangeImages(16, 3, 10, 10).div(1600);
  const make = (seed: number) => compose([
    new RandomCrop(8, { padding: 1, paddingMode: 'reflect' }),
    new RandomHorizontalFlip(),
    new RandomRotation(20),
    new RandomResizedCrop(8, { scale: [0.5, 1] }),
  ], { seed });
  const a = make(1).apply(x);
  const b = make(1).apply(x);
  const c = make(2).apply(x);
  assert.ok(a.eq(b).all().item());
  assert.ok(!a.eq(c).all().item());
  // Two consecutive calls of one instance continue the stream (different batches).
  const t = make(1);
  assert.ok(!t.apply(x).eq(t.apply(x)).all().item());
}));

test('bad input gets a clear error', () => {
  assert.throws(() => new RandomCrop(4).apply(tensor([1, 2, 3])), /RandomCrop: expected images N×C×H×W.*\[3\]/);
  assert.throws(() => new RandomCrop(0), /RandomCrop: size must be a positive integer/);
  assert.throws(() => tidy(() => new RandomCrop(9).apply(arangeImages(1, 1, 4, 4))), /crop 9×9 is larger than the padded image 4×4/);
  assert.throws(() => new RandomHorizontalFlip(2), /p must be in \[0, 1\]/);
});
