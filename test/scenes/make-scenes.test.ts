// The scenes data set: deterministic from its seed, in the VOC layout, and read back by
// the voc loader with masks and image-level labels that agree with each other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeScenes, vocDataset, SCENE_CLASSES, SegmentationDataset, MultilabelDataset, parseVocAnnotation } from '../../src/data/index.js';
import { skipWithout } from '../support/require-reference.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const skip = skipWithout('fashion-mnist');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-scenes-'));
const COUNTS = { train: 12, val: 4, test: 4 };

function filesOf(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(root, p), readFileSync(p));
    }
  };
  walk(root);
  return out;
}

test('make-scenes writes the VOC layout, the same bytes for the same seed and other scenes for another', { skip }, async () => {
  const a = path.join(tmp, 'a'), b = path.join(tmp, 'b'), c = path.join(tmp, 'c');
  const summary = await makeScenes(a, { seed: 3, size: 40, counts: COUNTS });
  await makeScenes(b, { seed: 3, size: 40, counts: COUNTS });
  await makeScenes(c, { seed: 4, size: 40, counts: COUNTS });
  assert.deepEqual(summary.counts, COUNTS);
  assert.deepEqual(summary.classNames, SCENE_CLASSES);
  const fa = filesOf(a), fb = filesOf(b), fc = filesOf(c);
  assert.deepEqual([...fa.keys()].sort(), [...fb.keys()].sort());
  for (const [k, v] of fa) assert.ok(v.equals(fb.get(k)!), `${k} differs between two runs with one seed`);
  assert.ok(!fa.get('JPEGImages/scene_000001.jpg')!.equals(fc.get('JPEGImages/scene_000001.jpg')!), 'another seed gives another scene');
  const total = COUNTS.train + COUNTS.val + COUNTS.test;
  for (const dir of ['JPEGImages', 'SegmentationClass', 'Annotations']) assert.equal(readdirSync(path.join(a, dir)).length, total, dir);
  for (const set of ['Main', 'Segmentation']) {
    for (const [split, n] of Object.entries(COUNTS)) {
      assert.equal(readFileSync(path.join(a, 'ImageSets', set, `${split}.txt`), 'utf8').trim().split('\n').length, n, `${set}/${split}`);
    }
  }
  // VOC's per-class lists say 1 exactly for the images whose annotation has the class.
  const bagTrain = readFileSync(path.join(a, 'ImageSets/Main/bag_train.txt'), 'utf8').trim().split('\n').map((l) => l.split(/\s+/));
  for (const [id, flag] of bagTrain) {
    const ann = parseVocAnnotation(readFileSync(path.join(a, 'Annotations', `${id}.xml`), 'utf8'));
    assert.equal(flag === '1', ann.objects.some((o) => o.name === 'bag'), `${id}: bag flag`);
    assert.equal(ann.width, 40);
  }
});

test('the voc loader reads the scenes: palette masks with ignore rings, labels that match the masks', { skip }, async () => {
  const root = path.join(tmp, 'read');
  await makeScenes(root, { seed: 1, size: 48, counts: { train: 24, val: 2, test: 2 } });
  const seg = await vocDataset(root, { split: 'train', target: 'segmentation' });
  const ml = await vocDataset(root, { split: 'train', target: 'multilabel' });
  assert.ok(seg instanceof SegmentationDataset && ml instanceof MultilabelDataset);
  assert.deepEqual(seg.imageShape, [3, 48, 48]);
  assert.deepEqual(seg.classNames, SCENE_CLASSES);
  assert.deepEqual(ml.classNames, SCENE_CLASSES.slice(1));
  const masks = seg.masks.toArray() as number[][][];
  const labels = ml.targets.toArray() as number[][];
  let objectsSeen = 0, ringPixels = 0;
  masks.forEach((mask, i) => {
    const present = new Set<number>();
    for (let y = 0; y < 48; y++) {
      for (let x = 0; x < 48; x++) {
        const v = mask[y]![x]!;
        assert.ok(v === 255 || (v >= 0 && v < SCENE_CLASSES.length), `class ${v}`);
        if (v === 255) ringPixels++;
        else if (v > 0) present.add(v);
        // An object pixel never touches the background directly: the ring lies between.
        if (v > 0 && v !== 255) {
          for (const [dy, dx] of [[0, 1], [1, 0], [0, -1], [-1, 0]] as const) assert.notEqual(mask[y + dy]?.[x + dx], 0, `scene ${i} (${x}, ${y}) touches background`);
        }
      }
    }
    objectsSeen += present.size;
    const fromLabels = labels[i]!.flatMap((l, j) => (l === 1 ? [j + 1] : []));
    assert.deepEqual([...present].sort((p, q) => p - q), fromLabels, `scene ${i}: mask classes and annotation labels`);
  });
  assert.ok(objectsSeen > 24, `${objectsSeen} objects in 24 scenes`);
  assert.ok(ringPixels > 0);
  seg.images.dispose(); seg.masks.dispose();
});

test('voc errors name the missing file and the unknown class', { skip }, async () => {
  const root = path.join(tmp, 'errors');
  await makeScenes(root, { seed: 0, size: 32, counts: { train: 2, val: 1, test: 1 } });
  await assert.rejects(vocDataset(root, { split: 'trainval', target: 'segmentation' }), /ImageSets\/Segmentation\/trainval\.txt/);
  await assert.rejects(vocDataset(root, { split: 'train', target: 'multilabel', classNames: ['background', 'cat'] }), /scene_000001\.xml has an object of class '\w+', which is not one of cat/);
  await assert.rejects(vocDataset(path.join(root, 'nope'), { split: 'train', target: 'segmentation' }), /nope does not exist/);
});

test('visionlab make-scenes writes a data set and rejects a missing --out', { skip }, () => {
  const out = path.join(tmp, 'cli');
  const ok = spawnSync(process.execPath, [MAIN, 'make-scenes', '--out', out, '--train', '3', '--val', '1', '--test', '1', '--size', '32'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /wrote 3 train, 1 val and 1 test scenes/);
  assert.ok(existsSync(path.join(out, 'classes.txt')));
  const bad = spawnSync(process.execPath, [MAIN, 'make-scenes', '--train', '3'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--out DIR is required/);
});
