// Semantic segmentation: image + mask pairs matched by file name. Masks hold a class index
// per pixel (255 = ignore), either directly as grey levels or as colours of the Pascal VOC
// palette, which are mapped back to indices.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { tensor, tidy, keep, type Tensor } from '../../torch/index.js';
import { type Batch, type Dataset } from '../dataset.js';
import { sizeHW, type ImageSize } from '../image-io.js';
import { decodeImageList } from './image-list.js';
import { listImages } from './image-folder.js';

export const IGNORE_INDEX = 255;

export const VOC_CLASSES = [
  'background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
];

/** The standard VOC colormap: class i's colour comes from interleaving i's bits into R, G, B. */
export function vocColormap(n = 256): [number, number, number][] {
  return Array.from({ length: n }, (_, i) => {
    let r = 0, g = 0, b = 0, c = i;
    for (let j = 0; j < 8; j++) {
      r |= ((c >> 0) & 1) << (7 - j);
      g |= ((c >> 1) & 1) << (7 - j);
      b |= ((c >> 2) & 1) << (7 - j);
      c >>= 3;
    }
    return [r, g, b];
  });
}

/** VOC palette colour (0xRRGGBB) to class index; index 255's light "void" colour means ignore. */
export function vocColourToIndex(): Map<number, number> {
  const colourToIndex = new Map<number, number>();
  vocColormap(256).forEach(([r, g, b], i) => { if (!colourToIndex.has((r << 16) | (g << 8) | b)) colourToIndex.set((r << 16) | (g << 8) | b, i); });
  return colourToIndex;
}

export interface SegmentationOptions {
  /** Sub-folders of root with the images and the masks. Defaults 'images' and 'masks'. */
  imagesDir?: string;
  masksDir?: string;
  /** Resize images (smoothly) and masks (nearest neighbour) to this size on load. */
  size?: ImageSize;
  channels?: 1 | 3;
  /** 'index': grey levels are class indices; 'voc': VOC palette colours; 'auto' (default): colour masks use the palette. */
  maskFormat?: 'index' | 'voc' | 'auto';
  classNames?: string[];
}

/** Images N×C×H×W uint8 with int64 masks N×H×W. */
export class SegmentationDataset implements Dataset {
  readonly length: number;
  readonly imageShape: [number, number, number];
  constructor(readonly images: Tensor, readonly masks: Tensor, readonly classNames: string[], readonly files: string[]) {
    keep(images);
    keep(masks);
    this.length = images.shape[0]!;
    const [, c, h, w] = images.shape as [number, number, number, number];
    this.imageShape = [c, h, w];
  }
  getBatch(indices: ArrayLike<number>): Batch {
    const idx = Int32Array.from(indices as ArrayLike<number>);
    for (const i of idx) if (i < 0 || i >= this.length) throw new RangeError(`SegmentationDataset.getBatch: index ${i} out of range [0, ${this.length})`);
    return tidy(() => {
      const it = tensor(idx).long();
      return { inputs: this.images.indexSelect(0, it), targets: this.masks.indexSelect(0, it), indices: idx };
    });
  }
}

/** One mask file as class indices: grey levels, or VOC palette colours mapped back through colourToIndex. */
export async function decodeMask(file: string, format: 'index' | 'voc' | 'auto', size: [number, number] | undefined, colourToIndex: Map<number, number>): Promise<{ data: Uint8Array; h: number; w: number; colour: boolean }> {
  try {
    const input = readFileSync(file);
    const meta = await sharp(input).metadata();
    const colour = format === 'voc' || (format === 'auto' && (meta.isPalette || (meta.channels ?? 1) >= 3));
    let img = sharp(input).removeAlpha();
    if (size) img = img.resize(size[1], size[0], { fit: 'fill', kernel: 'nearest' });
    img = colour ? img.toColourspace('srgb') : img.toColourspace('b-w');
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    if (!colour) return { data, h: info.height, w: info.width, colour };
    const out = new Uint8Array(info.width * info.height);
    for (let p = 0; p < out.length; p++) {
      const rgb = (data[3 * p]! << 16) | (data[3 * p + 1]! << 8) | data[3 * p + 2]!;
      const k = colourToIndex.get(rgb);
      if (k === undefined) {
        throw new Error(`pixel (${p % info.width}, ${Math.floor(p / info.width)}) has colour rgb(${data[3 * p]}, ${data[3 * p + 1]}, ${data[3 * p + 2]}), which is not in the VOC palette`);
      }
      out[p] = k;
    }
    return { data: out, h: info.height, w: info.width, colour };
  } catch (e) {
    throw new Error(`cannot decode mask ${file}: ${(e as Error).message}`, { cause: e });
  }
}

export async function segmentationDataset(root: string, opts: SegmentationOptions = {}): Promise<SegmentationDataset> {
  const imagesDir = path.join(root, opts.imagesDir ?? 'images');
  const masksDir = path.join(root, opts.masksDir ?? 'masks');
  for (const d of [imagesDir, masksDir]) if (!existsSync(d)) throw new Error(`segmentationDataset: ${d} does not exist`);
  const images = listImages(imagesDir);
  const masksByStem = new Map(listImages(masksDir).map((f) => [path.parse(f).name, f]));
  const masks = images.map((f) => {
    const m = masksByStem.get(path.parse(f).name);
    if (!m) throw new Error(`segmentationDataset: image ${f} has no mask in ${masksDir} (expected ${path.parse(f).name}.png)`);
    return m;
  });
  if (images.length === 0) throw new Error(`segmentationDataset: no images in ${imagesDir}`);
  const size = opts.size === undefined ? undefined : sizeHW(opts.size);
  const decoded = await decodeImageList(images, { size, channels: opts.channels });
  const [n, , h, w] = decoded.shape;
  const colourToIndex = vocColourToIndex();
  const maskBytes = new Uint8Array(n * h * w);
  let maxClass = -1;
  let sawPalette = false;
  for (const [i, f] of masks.entries()) {
    const m = await decodeMask(f, opts.maskFormat ?? 'auto', size, colourToIndex);
    if (m.h !== h || m.w !== w) throw new Error(`mask ${f} is ${m.h}×${m.w} but its image ${images[i]} is ${h}×${w}`);
    sawPalette ||= m.colour;
    for (const v of m.data) if (v !== IGNORE_INDEX && v > maxClass) maxClass = v;
    maskBytes.set(m.data, i * h * w);
  }
  // Palette masks are VOC's own format, so their classes are VOC's unless told otherwise.
  const classNames = opts.classNames ?? (sawPalette && maxClass < VOC_CLASSES.length
    ? VOC_CLASSES : Array.from({ length: maxClass + 1 }, (_, i) => String(i)));
  if (maxClass >= classNames.length) throw new Error(`segmentationDataset: masks contain class ${maxClass} but only ${classNames.length} class names were given`);
  return tidy(() => {
    const imgs = tensor(decoded.pixels, { shape: decoded.shape });
    const targets = tensor(maskBytes, { shape: [n, h, w] }).long();
    return new SegmentationDataset(imgs, targets, classNames, images);
  });
}
