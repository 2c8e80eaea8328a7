// CIFAR-10 / CIFAR-100 in both published layouts: the binary batches
// (cifar-10-batches-bin/*.bin, cifar-100-binary/*.bin) and the Python pickles
// (cifar-10-batches-py/data_batch_N, cifar-100-python/train|test).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tensor, tidy } from '../../torch/index.js';
import { TensorDataset } from '../dataset.js';
import { loadPickle, isNdArray, type PyDict } from './pickle.js';

export const CIFAR_IMAGE_BYTES = 3 * 32 * 32;

export interface CifarArrays {
  /** N×3072 bytes (3×32×32 planes, R then G then B, row-major), as stored. */
  pixels: Uint8Array;
  labels: Int32Array;
  /** CIFAR-100 only: the 20 superclass labels. */
  coarseLabels?: Int32Array;
}

/**
 * Parses a binary batch: records of `labelBytes` label bytes then 3072 pixel bytes.
 * labelBytes is 1 for CIFAR-10 (3073-byte records, the default) and 2 for CIFAR-100
 * (coarse then fine label, 3074-byte records).
 */
export function parseCifarBin(buf: Uint8Array, labelBytes: 1 | 2 = 1, file = '<buffer>'): CifarArrays {
  if (labelBytes !== 1 && labelBytes !== 2) {
    throw new RangeError(`${file}: labelBytes must be 1 (CIFAR-10) or 2 (CIFAR-100), got ${String(labelBytes)}`);
  }
  const record = labelBytes + CIFAR_IMAGE_BYTES;
  if (buf.length === 0 || buf.length % record !== 0) {
    const other = labelBytes === 1 ? 2 : 1;
    const hint = buf.length > 0 && buf.length % (other + CIFAR_IMAGE_BYTES) === 0
      ? `; it is a whole number of ${other + CIFAR_IMAGE_BYTES}-byte records: pass labelBytes ${other} for ${other === 2 ? 'CIFAR-100' : 'CIFAR-10'}`
      : ' (truncated or wrong dataset?)';
    throw new Error(`${file}: ${buf.length} bytes is not a whole number of ${record}-byte CIFAR records${hint}`);
  }
  const n = buf.length / record;
  const pixels = new Uint8Array(n * CIFAR_IMAGE_BYTES);
  const labels = new Int32Array(n);
  const coarse = labelBytes === 2 ? new Int32Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const o = i * record;
    // CIFAR-100 records are <coarse label><fine label><pixels>.
    if (coarse) coarse[i] = buf[o]!;
    labels[i] = buf[o + labelBytes - 1]!;
    pixels.set(buf.subarray(o + labelBytes, o + record), i * CIFAR_IMAGE_BYTES);
  }
  return coarse ? { pixels, labels, coarseLabels: coarse } : { pixels, labels };
}

function dictGet(d: unknown, key: string, file: string): unknown {
  if (!(d instanceof Map)) throw new Error(`${file}: expected a pickled dict, got ${typeof d}`);
  if (!d.has(key)) throw new Error(`${file}: pickled dict has no key '${key}' (keys: ${[...d.keys()].join(', ')})`);
  return (d as PyDict).get(key);
}

function intList(v: unknown, key: string, file: string): Int32Array {
  if (Array.isArray(v)) return Int32Array.from(v as number[]);
  if (isNdArray(v) && /^[<|]i[48]$|^\|u1$/.test(v.dtype)) {
    const size = Number(v.dtype.slice(2));
    const view = Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength);
    const n = v.data.byteLength / size;
    return Int32Array.from({ length: n }, (_, i) => (size === 8 ? Number(view.readBigInt64LE(8 * i)) : size === 4 ? view.readInt32LE(4 * i) : view[i]!));
  }
  throw new Error(`${file}: '${key}' is not a list of integers`);
}

/** Parses a python batch: {b'data': uint8 array N×3072, b'labels' or b'fine_labels'/b'coarse_labels': [int]}. */
export function parseCifarPickle(bytes: Uint8Array, file = '<buffer>'): CifarArrays {
  const d = loadPickle(bytes, file);
  const data = dictGet(d, 'data', file);
  if (!isNdArray(data) || data.dtype !== '|u1') throw new Error(`${file}: 'data' is not a uint8 numpy array`);
  if (data.shape.length !== 2 || data.shape[1] !== CIFAR_IMAGE_BYTES || data.fortranOrder) {
    throw new Error(`${file}: 'data' has shape [${data.shape}]${data.fortranOrder ? ' (Fortran order)' : ''}; expected C-order N×${CIFAR_IMAGE_BYTES}`);
  }
  const n = data.shape[0]!;
  if (data.data.byteLength !== n * CIFAR_IMAGE_BYTES) throw new Error(`${file}: 'data' holds ${data.data.byteLength} bytes, shape [${data.shape}] needs ${n * CIFAR_IMAGE_BYTES}`);
  const m = d as PyDict;
  const fine = m.has('fine_labels');
  const labels = intList(dictGet(d, fine ? 'fine_labels' : 'labels', file), fine ? 'fine_labels' : 'labels', file);
  if (labels.length !== n) throw new Error(`${file}: ${labels.length} labels for ${n} images`);
  const out: CifarArrays = { pixels: data.data, labels };
  if (m.has('coarse_labels')) out.coarseLabels = intList(m.get('coarse_labels'), 'coarse_labels', file);
  return out;
}

/** Label names from batches.meta / meta pickles. */
export function parseCifarMetaPickle(bytes: Uint8Array, key: 'label_names' | 'fine_label_names' | 'coarse_label_names', file = '<buffer>'): string[] {
  const v = dictGet(loadPickle(bytes, file), key, file);
  if (!Array.isArray(v)) throw new Error(`${file}: '${key}' is not a list`);
  return v.map((x) => (x instanceof Uint8Array ? Buffer.from(x).toString('utf8') : String(x)));
}

function readNamesTxt(file: string): string[] {
  return readFileSync(file, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
}

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export type CifarVariant = 'cifar10' | 'cifar100';
export type CifarLayout = 'bin' | 'py';

interface LayoutSpec { dir: string; train: string[]; test: string[] }
const LAYOUTS: Record<CifarVariant, Record<CifarLayout, LayoutSpec>> = {
  cifar10: {
    bin: { dir: 'cifar-10-batches-bin', train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: ['test_batch.bin'] },
    py: { dir: 'cifar-10-batches-py', train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}`), test: ['test_batch'] },
  },
  cifar100: {
    bin: { dir: 'cifar-100-binary', train: ['train.bin'], test: ['test.bin'] },
    py: { dir: 'cifar-100-python', train: ['train'], test: ['test'] },
  },
};

/**
 * Finds the extracted dataset under root (root itself may be the batches directory).
 * Binary batches win when both layouts are present, since they need no unpickling.
 */
export function findCifarLayout(root: string, variant: CifarVariant): { layout: CifarLayout; dir: string } | undefined {
  for (const layout of ['bin', 'py'] as const) {
    const spec = LAYOUTS[variant][layout];
    for (const dir of [path.join(root, spec.dir), root]) {
      if (existsSync(path.join(dir, spec.test[0]!))) return { layout, dir };
    }
  }
  return undefined;
}

export function cifarExpectedDirs(variant: CifarVariant): string[] {
  return [LAYOUTS[variant].bin.dir, LAYOUTS[variant].py.dir];
}

export interface CifarLoadOptions {
  split: 'train' | 'test';
  /** CIFAR-100: the 100 fine classes (default) or the 20 superclasses. */
  labelMode?: 'fine' | 'coarse';
}

/** Loads one split from an extracted CIFAR directory into memory. */
export function loadCifarDir(root: string, variant: CifarVariant, opts: CifarLoadOptions): TensorDataset {
  const found = findCifarLayout(root, variant);
  if (!found) {
    throw new Error(`${variant}: no dataset under ${root} (looked for ${cifarExpectedDirs(variant).join(' or ')}, or the batch files directly); pass download: true to fetch it`);
  }
  const { layout, dir } = found;
  const spec = LAYOUTS[variant][layout];
  const files = (opts.split === 'train' ? spec.train : spec.test).map((f) => path.join(dir, f));
  const parts = files.map((f) => {
    if (!existsSync(f)) throw new Error(`${variant}: missing batch file ${f}`);
    const bytes = readFileSync(f);
    return layout === 'bin' ? parseCifarBin(bytes, variant === 'cifar100' ? 2 : 1, f) : parseCifarPickle(bytes, f);
  });
  const coarse = variant === 'cifar100' && opts.labelMode === 'coarse';
  const n = parts.reduce((a, p) => a + p.labels.length, 0);
  const pixels = new Uint8Array(n * CIFAR_IMAGE_BYTES);
  const labels = new Int32Array(n);
  let at = 0;
  for (const [k, p] of parts.entries()) {
    const src = coarse ? p.coarseLabels : p.labels;
    if (!src) throw new Error(`${files[k]}: has no coarse labels`);
    pixels.set(p.pixels, at * CIFAR_IMAGE_BYTES);
    labels.set(src, at);
    at += p.labels.length;
  }
  const classNames = cifarClassNames(dir, layout, variant, coarse);
  for (const l of labels) if (l >= classNames.length) throw new Error(`${variant}: label ${l} out of range for ${classNames.length} classes`);
  return tidy(() => new TensorDataset(tensor(pixels, { shape: [n, 3, 32, 32] }), tensor(labels).long(), classNames, labels));
}

function cifarClassNames(dir: string, layout: CifarLayout, variant: CifarVariant, coarse: boolean): string[] {
  const count = variant === 'cifar10' ? 10 : coarse ? 20 : 100;
  const fallback = variant === 'cifar10' ? CIFAR10_CLASSES : Array.from({ length: count }, (_, i) => String(i));
  let file: string;
  let names: string[] | undefined;
  if (layout === 'bin') {
    file = path.join(dir, variant === 'cifar10' ? 'batches.meta.txt' : coarse ? 'coarse_label_names.txt' : 'fine_label_names.txt');
    if (existsSync(file)) names = readNamesTxt(file);
  } else {
    file = path.join(dir, variant === 'cifar10' ? 'batches.meta' : 'meta');
    const key = variant === 'cifar10' ? 'label_names' : coarse ? 'coarse_label_names' : 'fine_label_names';
    if (existsSync(file)) names = parseCifarMetaPickle(readFileSync(file), key, file);
  }
  if (!names) return fallback;
  if (names.length !== count) throw new Error(`${file}: ${names.length} class names, expected ${count}`);
  return names;
}
