// The user-facing dataset constructors: each finds the files (downloading them when asked),
// parses them with the readers in formats/, and returns a Dataset.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { tidy, tensor } from '../torch/index.js';
import { TensorDataset } from './dataset.js';
import { downloadFile, DATASET_FILES, type RemoteFile } from './download.js';
import { readIdxPair } from './formats/idx.js';
import { loadCifarDir, findCifarLayout, type CifarVariant } from './formats/cifar.js';
import { extractTar } from './formats/tar.js';
import { defaultCacheDir } from './formats/image-cache.js';

export { imageFolder, ImageFolderDataset, type ImageFolderOptions } from './formats/image-folder.js';
export { labelledImageDir, type LabelledImageDir, type LabelledImageDirOptions } from './formats/labelled-dir.js';
export { segmentationDataset, SegmentationDataset, type SegmentationOptions, VOC_CLASSES, vocColormap, IGNORE_INDEX } from './formats/segmentation.js';
export { multilabelDataset, MultilabelDataset, type MultilabelOptions } from './formats/multilabel.js';
export { arrayDataset, type ArrayDatasetOptions, readNpy, readNpz, encodeNpy, parseNpy } from './formats/npy.js';
export { readIdx, parseIdx, readIdxPair, encodeIdx, type IdxArray } from './formats/idx.js';
export { CIFAR10_CLASSES, parseCifarBin, parseCifarPickle } from './formats/cifar.js';
export { loadPickle, type NdArray } from './formats/pickle.js';
export { extractTar, readTar } from './formats/tar.js';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export interface IdxDatasetOptions {
  /** Where to look for the IDX files first. */
  root?: string;
  split: 'train' | 'test';
  /** Fetch missing files (into cacheDir) from the published mirror. */
  download?: boolean;
  /** Where downloads go and are looked for. Default $VISIONLAB_CACHE/<dataset> or ~/.cache/visionlab/<dataset>. */
  cacheDir?: string;
  /** Base URL replacing the published one (a local mirror). */
  mirror?: string;
}

function withMirror(f: RemoteFile, mirror: string | undefined): RemoteFile {
  return mirror ? { ...f, url: mirror.replace(/\/?$/, '/') + f.file } : f;
}

/** A file by its published name, gzipped or not, in the first directory that has it. */
function findIdx(dirs: string[], gzName: string): string | undefined {
  for (const d of dirs) for (const name of [gzName, gzName.replace(/\.gz$/, '')]) {
    const p = path.join(d, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

async function idxDataset(name: 'fashionMnist' | 'mnist', defaultRoot: string, classNames: string[], opts: IdxDatasetOptions): Promise<TensorDataset> {
  if (opts.split !== 'train' && opts.split !== 'test') throw new Error(`${name}: split must be 'train' or 'test', got ${JSON.stringify(opts.split)}`);
  const files = DATASET_FILES[name];
  const [img, lab] = opts.split === 'train' ? [files.trainImages, files.trainLabels] : [files.testImages, files.testLabels];
  const cacheDir = opts.cacheDir ?? path.join(defaultCacheDir(), name);
  const dirs = [opts.root ?? defaultRoot, cacheDir];
  const resolve = async (f: RemoteFile): Promise<string> => {
    const found = findIdx(dirs, f.file);
    if (found) return found;
    if (!opts.download) throw new Error(`${name}: ${f.file} not found in ${dirs.join(' or ')}; pass download: true to fetch it`);
    return downloadFile(withMirror(f, opts.mirror).url, path.join(cacheDir, f.file), { md5: f.md5 });
  };
  const imagesFile = await resolve(img);
  const labelsFile = await resolve(lab);
  return tidy(() => {
    const { images, labels } = readIdxPair(imagesFile, labelsFile);
    for (const l of labels) if (l < 0 || l >= classNames.length) throw new Error(`${labelsFile}: label ${l} out of range for ${classNames.length} classes`);
    return new TensorDataset(images, tensor(labels).long(), classNames, labels);
  });
}

/** Fashion-MNIST (28×28 grayscale, 10 classes); by default from Debian's dataset-fashion-mnist. */
export function fashionMnist(opts: IdxDatasetOptions): Promise<TensorDataset> {
  return idxDataset('fashionMnist', '/usr/share/datasets/fashion-mnist', FASHION_MNIST_CLASSES, opts);
}

/** MNIST digits (28×28 grayscale, 10 classes). */
export function mnist(opts: IdxDatasetOptions): Promise<TensorDataset> {
  return idxDataset('mnist', '/usr/share/datasets/mnist', MNIST_CLASSES, opts);
}

export interface CifarOptions {
  /** Folder holding (or to receive) cifar-10-batches-bin / cifar-10-batches-py etc. */
  root: string;
  split: 'train' | 'test';
  download?: boolean;
  /** Which archive to download when none is present; the binary one reads fastest. Default 'bin'. */
  format?: 'bin' | 'py';
  mirror?: string;
}

async function cifar(variant: CifarVariant, opts: CifarOptions & { labelMode?: 'fine' | 'coarse' }): Promise<TensorDataset> {
  if (!opts.root) throw new Error(`${variant}: root is required`);
  if (opts.split !== 'train' && opts.split !== 'test') throw new Error(`${variant}: split must be 'train' or 'test', got ${JSON.stringify(opts.split)}`);
  if (!findCifarLayout(opts.root, variant) && opts.download) {
    const f = withMirror(DATASET_FILES[variant][opts.format ?? 'bin'], opts.mirror);
    const archive = await downloadFile(f.url, path.join(opts.root, f.file), { md5: f.md5 });
    await extractTar(archive, opts.root);
  }
  return loadCifarDir(opts.root, variant, { split: opts.split, labelMode: opts.labelMode });
}

/** CIFAR-10 (32×32 RGB, 10 classes) from the binary or the python batches, whichever is under root. */
export function cifar10(opts: CifarOptions): Promise<TensorDataset> {
  return cifar('cifar10', opts);
}

/** CIFAR-100 with its 100 fine classes, or the 20 superclasses with labelMode 'coarse'. */
export function cifar100(opts: CifarOptions & { labelMode?: 'fine' | 'coarse' }, extra: { labelMode?: 'fine' | 'coarse' } = {}): Promise<TensorDataset> {
  return cifar('cifar100', { ...opts, labelMode: extra.labelMode ?? opts.labelMode });
}
export { vocDataset, vocClassNames, vocSplitIds, type VocOptions, type VocTarget } from './formats/voc.js';
export { parseVocAnnotation, writeVocAnnotation, type VocAnnotation, type VocObject } from './formats/voc-annotation.js';
export { encodePalettePng } from './formats/palette-png.js';
export { makeScenes, fashionGarments, SCENE_SPLITS, CLASSES_FILE, type MakeScenesOptions, type ScenesSummary, type SceneSplit } from './scenes/make-scenes.js';
export { SCENE_CLASSES, SCENE_IGNORE, type GarmentSource } from './scenes/compose-scene.js';
export { garmentImages, type GarmentImagesOptions } from './scenes/garment-images.js';
export { listImages } from './formats/image-folder.js';
