// Metric inputs arrive as tensors (from a model) or plain arrays (from tests and files);
// everything is read back once into JS arrays, because metrics are cheap next to the
// model that produced the predictions.
import { Tensor, tidy } from '../torch/index.js';

/** Class indices: an integer tensor of any shape (flattened), an Int32Array or a number array. */
export type LabelsLike = Tensor | Int32Array | Uint8Array | ArrayLike<number>;
/** A row-major matrix: a 2-D tensor, nested number arrays, or a flat array with its column count. */
export type MatrixLike = Tensor | number[][];

export interface Matrix { data: Float64Array; rows: number; cols: number }

export function toLabels(x: LabelsLike, what: string): Int32Array {
  if (x instanceof Tensor) {
    if (x.dtype.startsWith('float') || x.dtype === 'bfloat16') {
      throw new TypeError(`${what}: expected integer class indices, got a ${x.dtype} tensor of shape [${x.shape.join(', ')}] (use argmax(1) on scores)`);
    }
    if (x.dtype === 'int32') return x.toTypedArray() as Int32Array;
    // Read back as int32 in one copy: masks can hold millions of pixels.
    return tidy(() => x.to('int32').toTypedArray() as Int32Array);
  }
  const out = Int32Array.from(x as ArrayLike<number>);
  for (let i = 0; i < out.length; i++) {
    const v = (x as ArrayLike<number>)[i]!;
    if (!Number.isInteger(v)) throw new TypeError(`${what}: element ${i} is ${v}, expected an integer class index`);
  }
  return out;
}

export function toMatrix(x: MatrixLike, what: string): Matrix {
  if (x instanceof Tensor) {
    if (x.ndim !== 2) throw new RangeError(`${what}: expected a 2-D tensor [N, K], got shape [${x.shape.join(', ')}]`);
    const [rows, cols] = x.shape as [number, number];
    return { data: Float64Array.from(x.toFlatArray()), rows, cols };
  }
  if (!Array.isArray(x) || (x.length > 0 && !Array.isArray(x[0]))) {
    throw new TypeError(`${what}: expected a 2-D tensor or an array of rows`);
  }
  const rows = x.length;
  const cols = rows === 0 ? 0 : x[0]!.length;
  const data = new Float64Array(rows * cols);
  x.forEach((row, i) => {
    if (row.length !== cols) throw new RangeError(`${what}: row ${i} has ${row.length} values, row 0 has ${cols}`);
    data.set(row, i * cols);
  });
  return { data, rows, cols };
}

export function checkSameLength(a: { length: number }, b: { length: number }, names: [string, string], fn: string): void {
  if (a.length !== b.length) throw new RangeError(`${fn}: ${names[0]} has ${a.length} elements but ${names[1]} has ${b.length}`);
}

export function checkClassRange(labels: Int32Array, numClasses: number, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (v < 0 || v >= numClasses) throw new RangeError(`${what}: element ${i} is class ${v}, outside [0, ${numClasses})`);
  }
}

/** Number of classes implied by the largest label seen (at least 1). */
export function inferNumClasses(...labelSets: Int32Array[]): number {
  let max = 0;
  for (const s of labelSets) for (const v of s) if (v > max) max = v;
  return max + 1;
}

/** a / b, or 0 when b is 0: scikit-learn's zero_division=0 default for precision and recall. */
export function safeDiv(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}
