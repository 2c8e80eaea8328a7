// Run-length encoding of binary masks in the format Kaggle segmentation submissions use:
// "start length start length ...", starts 1-based, runs sorted and non-overlapping.
//
// Pixel order: by default pixels are numbered COLUMN-MAJOR — down the first column,
// then down the second — so pixel (row r, col c) of an H×W mask is number c*H + r + 1
// (Data Science Bowl 2018, TGS Salt, Airbus Ship). Some competitions (Carvana) number
// row-major; pass order 'row' for those.
import { Tensor, tidy } from '../torch/index.js';

export type PixelOrder = 'column' | 'row';
/** A row-major H×W mask; any nonzero value is foreground. */
export interface BinaryMask { data: ArrayLike<number>; height: number; width: number }

export function rleEncode(mask: Tensor | BinaryMask, order: PixelOrder = 'column'): string {
  const { data, height, width } = mask instanceof Tensor ? fromTensor(mask) : checkMask(mask);
  const runs: number[] = [];
  let runStart = -1;
  const n = height * width;
  for (let k = 0; k <= n; k++) {
    const on = k < n && data[pixelAt(k, height, width, order)] !== 0;
    if (on && runStart < 0) runStart = k;
    else if (!on && runStart >= 0) {
      runs.push(runStart + 1, k - runStart);
      runStart = -1;
    }
  }
  return runs.join(' ');
}

/** Decodes to a row-major H×W Uint8Array of 0/1. */
export function rleDecode(rle: string, height: number, width: number, order: PixelOrder = 'column'): Uint8Array {
  checkSize(height, width, 'rleDecode');
  const n = height * width;
  const out = new Uint8Array(n);
  const tokens = rle.trim() === '' ? [] : rle.trim().split(/\s+/);
  if (tokens.length % 2 !== 0) throw new RangeError(`rleDecode: expected "start length" pairs, got an odd count of ${tokens.length} numbers`);
  let end = 0;
  for (let i = 0; i < tokens.length; i += 2) {
    const start = Number(tokens[i]), length = Number(tokens[i + 1]);
    if (!Number.isInteger(start) || !Number.isInteger(length) || start < 1 || length < 1) {
      throw new RangeError(`rleDecode: pair ${i / 2} ("${tokens[i]} ${tokens[i + 1]}") must be a 1-based start and a positive length`);
    }
    if (start - 1 < end) throw new RangeError(`rleDecode: run ${i / 2} starts at ${start}, before the previous run ended (runs must be sorted and non-overlapping)`);
    end = start - 1 + length;
    if (end > n) throw new RangeError(`rleDecode: run ${i / 2} ends at pixel ${end}, past the ${height}×${width} mask's ${n} pixels`);
    for (let k = start - 1; k < end; k++) out[pixelAt(k, height, width, order)] = 1;
  }
  return out;
}

function pixelAt(k: number, height: number, width: number, order: PixelOrder): number {
  if (order === 'row') return k;
  const col = Math.floor(k / height);
  const row = k - col * height;
  return row * width + col;
}

function fromTensor(t: Tensor): BinaryMask {
  if (t.ndim !== 2) throw new RangeError(`rleEncode: expected a 2-D [H, W] mask tensor, got shape [${t.shape.join(', ')}]`);
  const [height, width] = t.shape as [number, number];
  return { data: tidy(() => t.ne(0).to('uint8').toTypedArray() as Uint8Array), height, width };
}

function checkMask(m: BinaryMask): BinaryMask {
  checkSize(m.height, m.width, 'rleEncode');
  if (m.data.length !== m.height * m.width) throw new RangeError(`rleEncode: mask data has ${m.data.length} values, expected ${m.height}×${m.width} = ${m.height * m.width}`);
  return m;
}

function checkSize(height: number, width: number, fn: string): void {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new RangeError(`${fn}: height and width must be positive integers, got ${height}×${width}`);
  }
}
