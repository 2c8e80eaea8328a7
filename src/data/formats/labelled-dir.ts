// A directory of numbered images with label files beside it, the layout of noisy-label
// studies: root/images/00001.png ..., root/noisy_labels.csv (one label per image) and
// root/clean_labels.csv (trusted labels for the first M images, or for named files).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { tensor, tidy } from '../../torch/index.js';
import { TensorDataset } from '../dataset.js';
import { type ImageSize } from '../image-io.js';
import { readCsv } from './csv.js';
import { decodeImageList } from './image-list.js';
import { listImages } from './image-folder.js';

export interface LabelledImageDirOptions {
  /** Label file for every image, relative to root. Default 'noisy_labels.csv'. */
  noisyLabels?: string;
  /** Label file for a trusted subset, relative to root. Default 'clean_labels.csv'. */
  cleanLabels?: string;
  /** Folder of images, relative to root. Default 'images'. */
  imagesDir?: string;
  size?: ImageSize;
  channels?: 1 | 3;
  /** Names of the classes; default the label values as strings (0..K-1). */
  classNames?: string[];
}

export interface LabelledImageDir {
  /** Image files in order (sorted names). */
  files: string[];
  classNames: string[];
  /** One (possibly wrong) label per image. */
  noisyLabels?: Int32Array;
  /** Trusted labels of the images at `cleanIndices`. */
  cleanLabels?: Int32Array;
  cleanIndices?: Int32Array;
  /** All images with their noisy labels. */
  noisy?: TensorDataset;
  /** The images with clean labels, with those labels. */
  clean?: TensorDataset;
}

interface LabelFile { labels: string[]; files?: string[] }

function readLabelFile(file: string): LabelFile {
  const { rows } = readCsv(file);
  const width = rows[0]?.length ?? 1;
  for (const [i, r] of rows.entries()) {
    if (r.length !== width) throw new Error(`${file}: row ${i + 1} has ${r.length} columns, the first has ${width}`);
  }
  if (width === 1) return { labels: rows.map((r) => r[0]!) };
  if (width === 2) return { files: rows.map((r) => r[0]!), labels: rows.map((r) => r[1]!) };
  throw new Error(`${file}: expected one label per line or 'filename,label' rows, got ${width} columns`);
}

export async function labelledImageDir(root: string, opts: LabelledImageDirOptions = {}): Promise<LabelledImageDir> {
  const imagesDir = path.join(root, opts.imagesDir ?? 'images');
  if (!existsSync(imagesDir)) throw new Error(`labelledImageDir: ${imagesDir} does not exist`);
  const files = listImages(imagesDir);
  if (files.length === 0) throw new Error(`labelledImageDir: no images in ${imagesDir}`);
  const noisyFile = path.join(root, opts.noisyLabels ?? 'noisy_labels.csv');
  const cleanFile = path.join(root, opts.cleanLabels ?? 'clean_labels.csv');
  // A label file named explicitly must exist; the default names are optional.
  for (const [given, f] of [[opts.noisyLabels, noisyFile], [opts.cleanLabels, cleanFile]] as const) {
    if (given !== undefined && !existsSync(f)) throw new Error(`labelledImageDir: label file ${f} does not exist`);
  }
  const noisyRaw = existsSync(noisyFile) ? readLabelFile(noisyFile) : undefined;
  const cleanRaw = existsSync(cleanFile) ? readLabelFile(cleanFile) : undefined;
  if (!noisyRaw && !cleanRaw) throw new Error(`labelledImageDir: neither ${noisyFile} nor ${cleanFile} exists`);

  const byName = new Map(files.map((f, i) => [path.basename(f), i]));
  const indicesOf = (lf: LabelFile, file: string, mustCoverAll: boolean): Int32Array => {
    if (lf.files) {
      return Int32Array.from(lf.files, (name) => {
        const i = byName.get(path.basename(name));
        if (i === undefined) throw new Error(`${file}: image '${name}' is not in ${imagesDir}`);
        return i;
      });
    }
    if (mustCoverAll ? lf.labels.length !== files.length : lf.labels.length > files.length) {
      throw new Error(`label count does not match image count: ${file} has ${lf.labels.length} labels, ${imagesDir} has ${files.length} images`);
    }
    return Int32Array.from({ length: lf.labels.length }, (_, i) => i);
  };
  const noisyIdx = noisyRaw ? indicesOf(noisyRaw, noisyFile, true) : undefined;
  if (noisyRaw && noisyIdx && noisyRaw.files && new Set(noisyIdx).size !== files.length) {
    throw new Error(`label count does not match image count: ${noisyFile} labels ${new Set(noisyIdx).size} distinct images, ${imagesDir} has ${files.length}`);
  }
  const cleanIdx = cleanRaw ? indicesOf(cleanRaw, cleanFile, false) : undefined;

  const classNames = opts.classNames ?? inferClassNames([...(noisyRaw?.labels ?? []), ...(cleanRaw?.labels ?? [])]);
  const toIndex = (lf: LabelFile, file: string): Int32Array => Int32Array.from(lf.labels, (v, row) => {
    const k = /^\d+$/.test(v) ? Number(v) : classNames.indexOf(v);
    if (k < 0 || k >= classNames.length) throw new Error(`${file}: row ${row + 1}: label '${v}' is not one of ${classNames.length} classes`);
    return k;
  });
  let noisyLabels: Int32Array | undefined;
  if (noisyRaw && noisyIdx) {
    const raw = toIndex(noisyRaw, noisyFile);
    noisyLabels = new Int32Array(files.length);
    noisyIdx.forEach((img, row) => { noisyLabels![img] = raw[row]!; });
  }
  const cleanLabels = cleanRaw ? toIndex(cleanRaw, cleanFile) : undefined;

  const decoded = await decodeImageList(files, { size: opts.size, channels: opts.channels });
  const out: LabelledImageDir = { files, classNames };
  tidy(() => {
    const images = tensor(decoded.pixels, { shape: decoded.shape });
    if (noisyLabels) {
      out.noisyLabels = noisyLabels;
      out.noisy = new TensorDataset(images, tensor(noisyLabels).long(), classNames, noisyLabels);
    }
    if (cleanLabels && cleanIdx) {
      out.cleanLabels = cleanLabels;
      out.cleanIndices = cleanIdx;
      out.clean = new TensorDataset(images.indexSelect(0, tensor(cleanIdx).long()), tensor(cleanLabels).long(), classNames, cleanLabels);
    }
  });
  return out;
}

function inferClassNames(values: string[]): string[] {
  if (values.every((v) => /^\d+$/.test(v))) {
    const k = values.reduce((m, v) => Math.max(m, Number(v) + 1), 0);
    return Array.from({ length: k }, (_, i) => String(i));
  }
  return [...new Set(values)].sort();
}
