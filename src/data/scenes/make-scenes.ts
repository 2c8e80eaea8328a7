// The scenes data set: seeded, deterministic scenes of Fashion-MNIST garments written in
// the Pascal VOC folder layout (JPEGImages, SegmentationClass palette PNGs, Annotations
// XML, ImageSets/Main and ImageSets/Segmentation split lists), so the VOC loader reads it
// like the real thing. Training and validation scenes use Fashion-MNIST's training images,
// test scenes its test images, so no garment is seen in both.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { fashionMnist } from '../datasets.js';
import { vocColormap } from '../formats/segmentation.js';
import { encodePalettePng } from '../formats/palette-png.js';
import { writeVocAnnotation } from '../formats/voc-annotation.js';
import { Rng, deriveSeed } from '../transforms/rng.js';
import { composeScene, SCENE_CLASSES, type GarmentSource, type SceneOptions } from './compose-scene.js';

export const SCENE_SPLITS = ['train', 'val', 'test'] as const;
export type SceneSplit = (typeof SCENE_SPLITS)[number];

export interface MakeScenesOptions {
  seed?: number;
  /** Canvas side, or [height, width]. Default 64. */
  size?: number | [number, number];
  /** Scenes per split. Default train 2000, val 400, test 400. */
  counts?: Partial<Record<SceneSplit, number>>;
  /** Garment sides in pixels. Default 16 to 48 (clamped to the canvas). */
  minSide?: number;
  maxSide?: number;
  /** At most this many garments per scene (0 to it, uniformly). Default 4. */
  maxObjects?: number;
  /** Folder of Fashion-MNIST's IDX files. Default Debian's /usr/share/datasets/fashion-mnist. */
  fashionMnistRoot?: string;
}

export interface ScenesSummary {
  root: string;
  counts: Record<SceneSplit, number>;
  classNames: string[];
  /** Scenes per class (a class counts once per scene that shows it), over all splits. */
  scenesPerClass: number[];
}

/** The file visionlab writes next to the VOC folders naming the classes in index order (VOC itself has none). */
export const CLASSES_FILE = 'classes.txt';

/** Fashion-MNIST's images of a split as the garments that scenes are made of. */
export async function fashionGarments(split: 'train' | 'test', root: string | undefined): Promise<GarmentSource> {
  const ds = await fashionMnist({ split, ...(root ? { root } : {}) });
  const pixels = ds.images.toTypedArray() as Uint8Array;
  ds.images.dispose();
  ds.targets.dispose();
  return { pixels, labels: ds.labels!, count: ds.length };
}

function checkCount(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`makeScenes: ${what} must be a non-negative integer, got ${v}`);
  return v;
}

export async function makeScenes(out: string, opts: MakeScenesOptions = {}): Promise<ScenesSummary> {
  const seed = opts.seed ?? 0;
  const [height, width] = typeof opts.size === 'number' || opts.size === undefined ? [opts.size ?? 64, opts.size ?? 64] : opts.size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 8 || width < 8) {
    throw new RangeError(`makeScenes: size must be at least 8×8 pixels, got ${height}×${width}`);
  }
  const scene: SceneOptions = {
    height, width, minSide: opts.minSide ?? 16, maxSide: opts.maxSide ?? 48, maxObjects: checkCount(opts.maxObjects ?? 4, 'maxObjects'),
  };
  if (!(scene.minSide >= 1 && scene.minSide <= scene.maxSide)) throw new RangeError(`makeScenes: need 1 <= minSide <= maxSide, got ${scene.minSide} and ${scene.maxSide}`);
  const counts = {
    train: checkCount(opts.counts?.train ?? 2000, 'counts.train'), val: checkCount(opts.counts?.val ?? 400, 'counts.val'),
    test: checkCount(opts.counts?.test ?? 400, 'counts.test'),
  };
  const dirs = ['JPEGImages', 'SegmentationClass', 'Annotations', 'ImageSets/Main', 'ImageSets/Segmentation'];
  for (const d of dirs) mkdirSync(path.join(out, d), { recursive: true });
  const palette = vocColormap(256);
  const sources = { train: await fashionGarments('train', opts.fashionMnistRoot), test: await fashionGarments('test', opts.fashionMnistRoot) };
  const scenesPerClass = new Array<number>(SCENE_CLASSES.length).fill(0);
  let next = 1;
  for (const [s, split] of SCENE_SPLITS.entries()) {
    const rng = new Rng(deriveSeed(seed, s));
    const source = split === 'test' ? sources.test : sources.train;
    const ids: string[] = [];
    const present: Uint8Array[] = [];
    for (let i = 0; i < counts[split]; i++) {
      const id = `scene_${String(next++).padStart(6, '0')}`;
      const { rgb, mask, objects } = composeScene(source, scene, rng);
      const jpeg = await sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
      // Bulk files that are cheap to make again: atomic, without a flush each.
      const write = (rel: string, data: Uint8Array | string) => writeFileAtomic(path.join(out, rel), data, { fsync: false });
      await write(`JPEGImages/${id}.jpg`, jpeg);
      await write(`SegmentationClass/${id}.png`, encodePalettePng(mask, height, width, palette));
      await write(`Annotations/${id}.xml`, writeVocAnnotation({
        filename: `${id}.jpg`, width, height, depth: 3,
        objects: objects.map((o) => ({ name: SCENE_CLASSES[o.classIndex]!, box: o.box })),
      }, 'scenes'));
      const flags = new Uint8Array(SCENE_CLASSES.length);
      for (const o of objects) flags[o.classIndex] = 1;
      flags.forEach((f, c) => { scenesPerClass[c]! += f; });
      ids.push(id);
      present.push(flags);
    }
    const list = ids.map((id) => id + '\n').join('');
    await writeFileAtomic(path.join(out, 'ImageSets/Main', `${split}.txt`), list);
    await writeFileAtomic(path.join(out, 'ImageSets/Segmentation', `${split}.txt`), list);
    // VOC's per-class lists: 1 where the image shows the class, -1 where it does not.
    for (let c = 1; c < SCENE_CLASSES.length; c++) {
      const lines = ids.map((id, i) => `${id} ${present[i]![c] ? ' 1' : '-1'}\n`).join('');
      await writeFileAtomic(path.join(out, 'ImageSets/Main', `${SCENE_CLASSES[c]}_${split}.txt`), lines);
    }
  }
  // Written last: its presence says the data set is complete.
  await writeFileAtomic(path.join(out, CLASSES_FILE), SCENE_CLASSES.join('\n') + '\n');
  return { root: out, counts, classNames: [...SCENE_CLASSES], scenesPerClass };
}
