// IDX files (MNIST, Fashion-MNIST, KMNIST): a big-endian header [0, 0, dtype, ndims],
// ndims uint32 sizes, then the elements in row-major order. Gzipped or raw.
import { readFileSync } from 'node:fs';
import { Tensor, tensor } from '../../torch/index.js';
import { maybeGunzip } from './gzip.js';

export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

const IDX_TYPES: Record<number, { dtype: IdxDType; size: number }> = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 },
};

export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  /** Elements in native byte order. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** Parses IDX bytes (gzip detected by its magic bytes). `file` names the source in errors. */
export function parseIdx(bytes: Buffer, file = '<buffer>'): IdxArray {
  const buf = maybeGunzip(bytes, file);
  if (buf.length < 4) throw new Error(`${file}: truncated IDX file (${buf.length} bytes, header needs 4)`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new Error(`${file}: not an IDX file (magic number 0x${buf.readUInt32BE(0).toString(16).padStart(8, '0')}; expected 0x0000TTDD)`);
  }
  const type = IDX_TYPES[buf[2]!];
  if (!type) throw new Error(`${file}: unknown IDX data type code 0x${buf[2]!.toString(16)}`);
  const ndim = buf[3]!;
  const headerBytes = 4 + 4 * ndim;
  if (buf.length < headerBytes) throw new Error(`${file}: truncated IDX file (${buf.length} bytes, header of ${ndim} dims needs ${headerBytes})`);
  const shape = Array.from({ length: ndim }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.size;
  if (buf.length < expected) {
    throw new Error(`${file}: truncated IDX file: shape [${shape}] of ${type.dtype} needs ${expected} bytes, file has ${buf.length}`);
  }
  const body = buf.subarray(headerBytes, expected);
  return { dtype: type.dtype, shape, data: decodeBigEndian(body, type.dtype, count) };
}

function decodeBigEndian(body: Buffer, dtype: IdxDType, count: number): IdxArray['data'] {
  switch (dtype) {
    case 'uint8': return body; // tensor() copies, so no second copy here
    case 'int8': return new Int8Array(body.buffer.slice(body.byteOffset, body.byteOffset + count));
    case 'int16': return Int16Array.from({ length: count }, (_, i) => body.readInt16BE(2 * i));
    case 'int32': return Int32Array.from({ length: count }, (_, i) => body.readInt32BE(4 * i));
    case 'float32': return Float32Array.from({ length: count }, (_, i) => body.readFloatBE(4 * i));
    case 'float64': return Float64Array.from({ length: count }, (_, i) => body.readDoubleBE(8 * i));
  }
}

export function readIdx(file: string): IdxArray {
  return parseIdx(readFileSync(file), file);
}

export function idxToTensor(a: IdxArray): Tensor {
  return tensor(a.data, { shape: a.shape });
}

/**
 * Reads an images file (N×H×W or N×C×H×W uint8) and its labels file (N), checking they agree.
 * Images come back N×C×H×W.
 */
export function readIdxPair(imagesFile: string, labelsFile: string): { images: Tensor; labels: Int32Array } {
  const img = readIdx(imagesFile);
  const lab = readIdx(labelsFile);
  if (img.dtype !== 'uint8') throw new Error(`${imagesFile}: expected uint8 images, got ${img.dtype}`);
  if (img.shape.length !== 3 && img.shape.length !== 4) throw new Error(`${imagesFile}: expected N×H×W or N×C×H×W images, got shape [${img.shape}]`);
  if (lab.shape.length !== 1) throw new Error(`${labelsFile}: expected one label per image (1-D), got shape [${lab.shape}]`);
  if (lab.shape[0] !== img.shape[0]) {
    throw new Error(`label count does not match image count: ${labelsFile} has ${lab.shape[0]} labels, ${imagesFile} has ${img.shape[0]} images`);
  }
  const shape = img.shape.length === 3 ? [img.shape[0]!, 1, img.shape[1]!, img.shape[2]!] : img.shape;
  return { images: tensor(img.data, { shape }), labels: Int32Array.from(lab.data as ArrayLike<number>) };
}

/** Writes an IDX file's bytes (used to build fixtures and to export datasets). */
export function encodeIdx(data: Uint8Array, shape: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = 0x08;
  header[3] = shape.length;
  shape.forEach((s, i) => header.writeUInt32BE(s, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}
