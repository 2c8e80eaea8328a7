// ImageFolder: root/<class name>/<image>, class indices in sorted class-name order (as
// torchvision's ImageFolder), every image resized to one size on load.
import { readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { tensor, tidy } from '../../torch/index.js';
import { TensorDataset } from '../dataset.js';
import { isImageFile, sizeHW, type ImageSize } from '../image-io.js';
import { decodeImageList } from './image-list.js';
import { defaultCacheDir, imageCacheKey, readImageCache, writeImageCache } from './image-cache.js';

export interface ImageFolderOptions {
  size: ImageSize;
  /** Default 3: a folder may mix grayscale and colour files, and models expect one channel count. */
  channels?: 1 | 3;
  /** Where decoded tensors are cached; false disables the cache. Default $VISIONLAB_CACHE or ~/.cache/visionlab. */
  cacheDir?: string | false;
  /** Leave out files that do not decode (listed in `skipped`) instead of failing. */
  skipBad?: boolean;
}

export class ImageFolderDataset extends TensorDataset {
  constructor(
    images: ConstructorParameters<typeof TensorDataset>[0],
    targets: ConstructorParameters<typeof TensorDataset>[1],
    classNames: string[],
    labels: Int32Array,
    /** The image files, in dataset order. */
    readonly files: string[],
    /** Files that could not be decoded and were left out (skipBad). */
    readonly skipped: string[],
    /** Whether this load came from the on-disk cache. */
    readonly fromCache: boolean,
  ) {
    super(images, targets, classNames, labels);
  }
}

/** Sorted image files of a directory (recursively), sorted by path for a stable order. */
export function listImages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && isImageFile(e.name) && !e.name.startsWith('.')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

interface FolderCacheMeta { files: string[]; labels: number[]; skipped: string[]; shape: [number, number, number, number]; classNames: string[] }

export async function imageFolder(root: string, opts: ImageFolderOptions): Promise<ImageFolderDataset> {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`imageFolder: ${root} is not a directory`);
  const classNames = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  if (classNames.length === 0) throw new Error(`imageFolder: ${root} has no class sub-folders (expected ${root}/<class>/<image files>)`);
  const files: string[] = [];
  const fileLabels: number[] = [];
  classNames.forEach((c, k) => {
    for (const f of listImages(path.join(root, c))) { files.push(f); fileLabels.push(k); }
  });
  if (files.length === 0) throw new Error(`imageFolder: no image files under ${root}`);
  const [h, w] = sizeHW(opts.size);
  const channels = opts.channels ?? 3;
  const settings = { size: [h, w], channels, skipBad: !!opts.skipBad };
  const cacheDir = opts.cacheDir === false ? undefined : opts.cacheDir ?? defaultCacheDir();
  const key = cacheDir ? imageCacheKey('image-folder', root, files, settings) : '';
  const cached = cacheDir ? readImageCache<FolderCacheMeta>(cacheDir, key) : undefined;
  if (cached) return build(cached.pixels, cached.meta, true);

  const decoded = await decodeImageList(files, { size: [h, w], channels, skipBad: opts.skipBad });
  if (decoded.kept.length === 0) throw new Error(`imageFolder: none of the ${files.length} images under ${root} could be decoded (first: ${decoded.skipped[0]})`);
  const meta: FolderCacheMeta = {
    files: decoded.kept.map((i) => files[i]!),
    labels: decoded.kept.map((i) => fileLabels[i]!),
    skipped: decoded.skipped,
    shape: decoded.shape,
    classNames,
  };
  if (cacheDir) await writeImageCache(cacheDir, key, decoded.pixels, meta);
  return build(decoded.pixels, meta, false);
}

function build(pixels: Uint8Array, meta: FolderCacheMeta, fromCache: boolean): ImageFolderDataset {
  const labels = Int32Array.from(meta.labels);
  return tidy(() => new ImageFolderDataset(
    tensor(pixels, { shape: meta.shape }), tensor(labels).long(), meta.classNames, labels, meta.files, meta.skipped, fromCache));
}
