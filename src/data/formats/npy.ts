// numpy's .npy (format versions 1-3) and .npz (a zip of .npy files), read into Tensors.
import { readFileSync } from 'node:fs';
import { Tensor, tensor, tidy, itemSize, type DType } from '../../torch/index.js';
import { typedArrayFor } from '../../torch/dtype.js';
import { readZip } from '../../io/zip.js';
import { TensorDataset } from '../dataset.js';

export interface NpyArray { dtype: DType; shape: number[]; data: ArrayBufferView }

const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

const DESCRS: Record<string, DType> = {
  f4: 'float32', f8: 'float64', i8: 'int64', i4: 'int32', i2: 'int16', i1: 'int8', u1: 'uint8', b1: 'bool',
};

function headerField(header: string, key: string, file: string): string {
  const m = new RegExp(`['"]${key}['"]\\s*:\\s*('[^']*'|"[^"]*"|True|False|\\([^)]*\\))`).exec(header);
  if (!m) throw new Error(`${file}: .npy header has no '${key}': ${header.trim()}`);
  return m[1]!;
}

/** Parses .npy bytes. `file` names the source in errors. */
export function parseNpy(buf: Buffer, file = '<buffer>'): NpyArray {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(NPY_MAGIC)) throw new Error(`${file}: not a .npy file (bad magic)`);
  const major = buf[6]!;
  const lenBytes = major === 1 ? 2 : 4;
  if (major < 1 || major > 3) throw new Error(`${file}: unsupported .npy format version ${major}.${buf[7]}`);
  const headerLen = lenBytes === 2 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const dataStart = 8 + lenBytes + headerLen;
  if (buf.length < dataStart) throw new Error(`${file}: truncated .npy header`);
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', 8 + lenBytes, dataStart);
  const descr = headerField(header, 'descr', file).slice(1, -1);
  if (headerField(header, 'fortran_order', file) === 'True') {
    throw new Error(`${file}: Fortran-order arrays are not supported; save with np.ascontiguousarray(a)`);
  }
  const shape = headerField(header, 'shape', file).slice(1, -1).split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const order = descr[0]!;
  const dtype = DESCRS[descr.slice(1)];
  if (!'<>|='.includes(order) || !dtype) {
    throw new Error(`${file}: unsupported dtype '${descr}' (supported: <f4 <f8 <i1 <i2 <i4 <i8 |u1 |b1, either byte order)`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const size = itemSize(dtype);
  const bytes = count * size;
  if (buf.length < dataStart + bytes) throw new Error(`${file}: truncated .npy data: shape [${shape}] of ${descr} needs ${bytes} bytes, file has ${buf.length - dataStart}`);
  // Copy into a fresh, aligned buffer: the data offset need not be a multiple of the item size.
  const own = new Uint8Array(bytes);
  own.set(buf.subarray(dataStart, dataStart + bytes));
  if (order === '>' && size > 1) {
    for (let i = 0; i < bytes; i += size) own.subarray(i, i + size).reverse();
  }
  return { dtype, shape, data: typedArrayFor(dtype, own.buffer) };
}

export function npyToTensor(a: NpyArray): Tensor {
  if (a.dtype === 'bool') return tidy(() => tensor(a.data, { shape: a.shape }).to('bool'));
  return tensor(a.data, { shape: a.shape });
}

export function readNpy(file: string): Tensor {
  return npyToTensor(parseNpy(readFileSync(file), file));
}

/** Reads every array of an .npz (stored or deflated), keyed by name without '.npy'. */
export function readNpz(file: string): Map<string, Tensor> {
  const buf = readFileSync(file);
  const out = new Map<string, Tensor>();
  for (const [name, member] of readZip(buf, file)) {
    if (!name.endsWith('.npy')) continue;
    out.set(name.slice(0, -4), npyToTensor(parseNpy(member.read(), `${file}:${name}`)));
  }
  return out;
}

/** Encodes a tensor as a version-1 .npy file (little-endian, C order). */
export function encodeNpy(t: Tensor): Buffer {
  const codes: Partial<Record<DType, string>> = {
    float32: '<f4', float64: '<f8', int64: '<i8', int32: '<i4', int16: '<i2', int8: '|i1', uint8: '|u1', bool: '|b1',
  };
  const descr = codes[t.dtype];
  if (!descr) throw new Error(`encodeNpy: dtype ${t.dtype} is not supported`);
  const shape = t.shape;
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // Pad with spaces so the data starts on a 64-byte boundary, ending with a newline.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const pre = Buffer.alloc(10);
  NPY_MAGIC.copy(pre);
  pre[6] = 1;
  pre.writeUInt16LE(header.length, 8);
  const data = t.toTypedArray();
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

export interface ArrayDatasetOptions {
  /** How images are laid out; 'auto' treats a last axis of 1, 3 or 4 as channels. */
  layout?: 'nhwc' | 'nchw' | 'auto';
  classNames?: string[];
}

function loadArray(src: string | Tensor): Tensor {
  if (typeof src !== 'string') return src;
  if (src.endsWith('.npz')) {
    const arrays = readNpz(src);
    if (arrays.size !== 1) throw new Error(`${src}: expected one array in the .npz, found ${[...arrays.keys()].join(', ') || 'none'}`);
    return [...arrays.values()][0]!;
  }
  return readNpy(src);
}

/**
 * A classification dataset from an images array (N×H×W, NHWC or NCHW; uint8, or float in
 * [0, 1] or [0, 255], stored as uint8) and a labels array of N integers.
 */
export function arrayDataset(images: string | Tensor, labels: string | Tensor, opts: ArrayDatasetOptions = {}): TensorDataset {
  const imgName = typeof images === 'string' ? images : 'images';
  const labName = typeof labels === 'string' ? labels : 'labels';
  return tidy(() => {
    let x = loadArray(images);
    const y = loadArray(labels);
    if (x.ndim === 3) x = x.unsqueeze(1);
    if (x.ndim !== 4) throw new Error(`${imgName}: expected N×H×W, N×H×W×C or N×C×H×W images, got shape [${x.shape}]`);
    const layout = opts.layout ?? 'auto';
    const isChannels = (n: number) => n === 1 || n === 3 || n === 4;
    const nhwc = layout === 'nhwc' || (layout === 'auto' && isChannels(x.shape[3]!) && !isChannels(x.shape[1]!));
    if (nhwc) x = x.permute(0, 3, 1, 2);
    x = toUint8Images(x, imgName).contiguous();
    if (y.ndim !== 1 || y.dtype.startsWith('float') || y.dtype === 'bool') throw new Error(`${labName}: expected a 1-D integer array, got ${y.dtype} [${y.shape}]`);
    if (y.shape[0] !== x.shape[0]) throw new Error(`label count does not match image count: ${labName} has ${y.shape[0]} labels, ${imgName} has ${x.shape[0]} images`);
    const lab = Int32Array.from(y.toFlatArray());
    const k = opts.classNames?.length ?? (lab.length ? Math.max(...lab) + 1 : 0);
    for (const l of lab) if (l < 0 || l >= k) throw new Error(`${labName}: label ${l} out of range [0, ${k})`);
    const names = opts.classNames ?? Array.from({ length: k }, (_, i) => String(i));
    return new TensorDataset(x, y.long(), names, lab);
  });
}

function toUint8Images(x: Tensor, name: string): Tensor {
  if (x.dtype === 'uint8') return x;
  if (x.dtype === 'bool') return x.to('uint8').mul(255);
  const max = x.max().item();
  const min = x.min().item();
  if (min < 0 || max > 255) throw new Error(`${name}: image values span [${min}, ${max}]; expected [0, 1] or [0, 255]`);
  if (!x.dtype.startsWith('float')) return x.to('uint8');
  return (max <= 1 ? x.mul(255) : x).round().to('uint8');
}
