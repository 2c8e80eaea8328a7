// The Pascal VOC 2007/2012 folder layout as distributed (and as `makeScenes` writes it):
//   JPEGImages/<id>.jpg, SegmentationClass/<id>.png (palette masks, 255 = ignore),
//   Annotations/<id>.xml (objects, hence image-level labels),
//   ImageSets/Segmentation/<split>.txt and ImageSets/Main/<split>.txt (ids per split).
// A segmentation target reads the masks of the Segmentation split; a multi-label target
// reads which classes each image of the Main split shows, from its annotation.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tensor, tidy } from '../../torch/index.js';
import { sizeHW, type ImageSize } from '../image-io.js';
import { decodeImageList } from './image-list.js';
import { SegmentationDataset, VOC_CLASSES, IGNORE_INDEX, decodeMask, vocColourToIndex } from './segmentation.js';
import { MultilabelDataset } from './multilabel.js';
import { parseVocAnnotation } from './voc-annotation.js';

export type VocTarget = 'segmentation' | 'multilabel';

export interface VocOptions {
  /** The split list's name: 'train', 'val', 'trainval', 'test'. */
  split: string;
  target: VocTarget;
  /** Resize images (smoothly) and masks (nearest neighbour) on load; required when the images differ in size, as VOC's do. */
  size?: ImageSize;
  /**
   * Class names in index order, background first. Default: the root's classes.txt when it
   * has one (the scenes data set), else VOC's 21 classes.
   */
  classNames?: string[];
  /** Count objects marked difficult as present (default true). */
  includeDifficult?: boolean;
}

/** The classes of a VOC root: classes.txt when present, else VOC's own. */
export function vocClassNames(root: string): string[] {
  const file = path.join(root, 'classes.txt');
  if (!existsSync(file)) return [...VOC_CLASSES];
  const names = readFileSync(file, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
  if (names.length < 2) throw new Error(`${file}: expected a background class and at least one object class, one name per line`);
  return names;
}

/** The image ids of a split list, in file order. */
export function vocSplitIds(root: string, imageSet: 'Main' | 'Segmentation', split: string): string[] {
  const file = path.join(root, 'ImageSets', imageSet, `${split}.txt`);
  if (!existsSync(file)) throw new Error(`voc: no split list ${file} (is ${root} a VOC folder with ImageSets/${imageSet}?)`);
  const ids = readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.trim().split(/\s+/)[0]!).filter((s) => s !== '');
  if (ids.length === 0) throw new Error(`voc: ${file} lists no images`);
  return ids;
}

function mustExist(file: string, what: string): string {
  if (!existsSync(file)) throw new Error(`voc: ${what} ${file} is missing`);
  return file;
}

async function segmentationSplit(root: string, opts: VocOptions, classNames: string[]): Promise<SegmentationDataset> {
  const ids = vocSplitIds(root, 'Segmentation', opts.split);
  const images = ids.map((id) => mustExist(path.join(root, 'JPEGImages', `${id}.jpg`), 'image'));
  const masks = ids.map((id) => mustExist(path.join(root, 'SegmentationClass', `${id}.png`), 'mask'));
  const size = opts.size === undefined ? undefined : sizeHW(opts.size);
  const decoded = await decodeImageList(images, { ...(size ? { size } : {}), channels: 3 });
  const [n, , h, w] = decoded.shape;
  const colourToIndex = vocColourToIndex();
  const maskBytes = new Uint8Array(n * h * w);
  for (const [i, f] of masks.entries()) {
    const m = await decodeMask(f, 'voc', size, colourToIndex);
    if (m.h !== h || m.w !== w) throw new Error(`voc: mask ${f} is ${m.h}×${m.w} but its image ${images[i]} is ${h}×${w}`);
    for (const v of m.data) {
      if (v !== IGNORE_INDEX && v >= classNames.length) throw new Error(`voc: mask ${f} has class ${v}, but there are only ${classNames.length} classes (${classNames.join(', ')})`);
    }
    maskBytes.set(m.data, i * h * w);
  }
  return tidy(() => new SegmentationDataset(tensor(decoded.pixels, { shape: decoded.shape }), tensor(maskBytes, { shape: [n, h, w] }).long(), classNames, images));
}

async function multilabelSplit(root: string, opts: VocOptions, classNames: string[]): Promise<MultilabelDataset> {
  const ids = vocSplitIds(root, 'Main', opts.split);
  // Background is not a label: every image has some.
  const labels = classNames.slice(1);
  const column = new Map(labels.map((name, j) => [name, j]));
  const k = labels.length;
  const targets = new Float32Array(ids.length * k);
  ids.forEach((id, i) => {
    const file = mustExist(path.join(root, 'Annotations', `${id}.xml`), 'annotation');
    for (const o of parseVocAnnotation(readFileSync(file, 'utf8'), file).objects) {
      if (o.difficult && opts.includeDifficult === false) continue;
      const j = column.get(o.name);
      if (j === undefined) throw new Error(`voc: ${file} has an object of class '${o.name}', which is not one of ${labels.join(', ')}`);
      targets[i * k + j] = 1;
    }
  });
  const images = ids.map((id) => mustExist(path.join(root, 'JPEGImages', `${id}.jpg`), 'image'));
  const decoded = await decodeImageList(images, { ...(opts.size !== undefined ? { size: opts.size } : {}), channels: 3 });
  return tidy(() => new MultilabelDataset(tensor(decoded.pixels, { shape: decoded.shape }), tensor(targets, { shape: [ids.length, k] }), labels, images));
}

/** One split of a VOC folder (root holds JPEGImages, ImageSets, ...; e.g. VOCdevkit/VOC2012). */
export async function vocDataset(root: string, opts: VocOptions): Promise<SegmentationDataset | MultilabelDataset> {
  if (!existsSync(root)) throw new Error(`voc: ${root} does not exist`);
  const classNames = opts.classNames ?? vocClassNames(root);
  if (opts.target === 'segmentation') return segmentationSplit(root, opts, classNames);
  if (opts.target === 'multilabel') return multilabelSplit(root, opts, classNames);
  throw new RangeError(`voc: target must be 'segmentation' or 'multilabel', got '${String(opts.target)}'`);
}
