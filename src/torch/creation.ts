// Tensor factories: from JS data, and the usual constant and random constructors.
import { native as N } from './native.js';
import { type DType, dtypeCode, dtypeOfTypedArray, isFloatingDType } from './dtype.js';
import { Tensor, wrap } from './tensor.js';
import * as ops from './ops.generated.js';
import type { Generator } from './generator.js';

export interface TensorOptions { dtype?: DType; device?: string; requiresGrad?: boolean }
/** Random factories draw from `generator` when given, else from libtorch's default generator (manualSeed). */
export interface RandomTensorOptions extends TensorOptions { generator?: Generator | null }
type Nested = number | boolean | Nested[];

function finish(t: Tensor, opts: TensorOptions): Tensor {
  let out = t;
  if (opts.device && opts.device !== 'cpu') {
    out = t.to(opts.device);
    t.dispose();
  }
  if (opts.requiresGrad) out.requiresGrad = true;
  return out;
}

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as Nested;
  }
  return shape;
}

function describeElement(v: unknown): string {
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return `a ${typeof v} (${String(v)})`;
}

// Checks every element as it copies, because Number('a') would silently give NaN: the
// error names the first bad element by its index path, e.g. `[1][0]`.
function flatten(data: unknown, shape: number[], depth: number, path: string, out: (number | boolean)[]): void {
  const where = path === '' ? 'data' : `element ${path}`;
  if (depth === shape.length) {
    if (typeof data === 'number' || typeof data === 'boolean') {
      out.push(data);
      return;
    }
    if (Array.isArray(data)) throw new TypeError(`tensor: ragged nested array: ${where} is ${describeElement(data)} where a number was expected`);
    throw new TypeError(`tensor: ${where} is ${describeElement(data)}; expected a number or boolean`);
  }
  if (!Array.isArray(data)) {
    throw new TypeError(`tensor: ragged nested array: ${where} is ${describeElement(data)} where an array of length ${shape[depth]} was expected`);
  }
  if (data.length !== shape[depth]) {
    throw new TypeError(`tensor: ragged nested array: ${where} has length ${data.length}, expected ${shape[depth]}`);
  }
  for (let i = 0; i < data.length; i++) flatten(data[i], shape, depth + 1, `${path}[${i}]`, out);
}

/**
 * Creates a tensor from a typed array (with a shape), a nested array, or a scalar.
 * Numbers default to float32, booleans to bool; a typed array keeps its element type.
 */
export function tensor(data: Nested | ArrayBufferView, opts: TensorOptions & { shape?: readonly number[] } = {}): Tensor {
  if (ArrayBuffer.isView(data)) {
    const own = dtypeOfTypedArray(data);
    const shape = opts.shape ? [...opts.shape] : [(data as unknown as { length: number }).length];
    let t = wrap(N.fromBuffer(data, dtypeCode(own), shape));
    if (opts.dtype && opts.dtype !== own) t = t.to(opts.dtype);
    return finish(t, opts);
  }
  const shape = inferShape(data);
  const flat: (number | boolean)[] = [];
  flatten(data, shape, 0, '', flat);
  const isBool = flat.length > 0 && typeof flat[0] === 'boolean';
  const dtype = opts.dtype ?? (isBool ? 'bool' : 'float32');
  const buildAs: DType = isBool ? 'bool' : dtype === 'int64' ? 'int64' : 'float64';
  let buf: ArrayBufferView;
  if (buildAs === 'bool') buf = Uint8Array.from(flat, (x) => (x ? 1 : 0));
  else if (buildAs === 'int64') buf = BigInt64Array.from(flat, (x) => BigInt(Math.trunc(Number(x))));
  else buf = Float64Array.from(flat, (x) => Number(x));
  let t = wrap(N.fromBuffer(buf, dtypeCode(buildAs), opts.shape ? [...opts.shape] : shape));
  if (dtype !== buildAs) t = t.to(dtype);
  return finish(t, opts);
}

function factoryOpts(opts: TensorOptions) {
  return { dtype: opts.dtype ?? null, device: opts.device ?? null };
}

export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return finish(ops.zeros([...shape], factoryOpts(opts)), { requiresGrad: opts.requiresGrad });
}
export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return finish(ops.ones([...shape], factoryOpts(opts)), { requiresGrad: opts.requiresGrad });
}
export function full(shape: readonly number[], value: number | boolean, opts: TensorOptions = {}): Tensor {
  const dtype = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  return finish(ops.full([...shape], value, { dtype, device: opts.device ?? null }), { requiresGrad: opts.requiresGrad });
}
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return ops.zeros_like(t, { dtype: opts.dtype ?? null, device: opts.device ?? null });
}
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return ops.ones_like(t, { dtype: opts.dtype ?? null, device: opts.device ?? null });
}
export function empty(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return ops.empty$memory_format([...shape], factoryOpts(opts));
}
/** Values in [start, end) with a step; integers give int64 like PyTorch, otherwise float32. */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) { end = start; start = 0; }
  const allInt = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const dtype = opts.dtype ?? (allInt ? 'int64' : 'float32');
  return finish(ops.arange$start_step(start, end, step, { dtype, device: opts.device ?? null }), { requiresGrad: opts.requiresGrad });
}
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  return finish(ops.linspace(start, end, steps, factoryOpts(opts)), { requiresGrad: opts.requiresGrad });
}
export function eye(n: number, m?: number, opts: TensorOptions = {}): Tensor {
  return m === undefined ? ops.eye(n, factoryOpts(opts)) : ops.eye$m(n, m, factoryOpts(opts));
}
/** Uniform in [0, 1). */
export function rand(shape: readonly number[], opts: RandomTensorOptions = {}): Tensor {
  const t = opts.generator ? ops.rand$generator([...shape], { generator: opts.generator, ...factoryOpts(opts) }) : ops.rand([...shape], factoryOpts(opts));
  return finish(t, { requiresGrad: opts.requiresGrad });
}
/** Standard normal. */
export function randn(shape: readonly number[], opts: RandomTensorOptions = {}): Tensor {
  const t = opts.generator ? ops.randn$generator([...shape], { generator: opts.generator, ...factoryOpts(opts) }) : ops.randn([...shape], factoryOpts(opts));
  return finish(t, { requiresGrad: opts.requiresGrad });
}
/** Integers in [low, high), int64 by default. */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomTensorOptions = {}): Tensor {
  const o = { dtype: opts.dtype ?? 'int64', device: opts.device ?? null };
  return opts.generator ? ops.randint$low_generator(low, high, [...shape], { generator: opts.generator, ...o }) : ops.randint$low(low, high, [...shape], o);
}
/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number, opts: RandomTensorOptions = {}): Tensor {
  const o = { dtype: opts.dtype ?? 'int64', device: opts.device ?? null };
  return opts.generator ? ops.randperm$generator(n, { generator: opts.generator, ...o }) : ops.randperm(n, o);
}
export function scalarTensor(v: number | boolean, opts: TensorOptions = {}): Tensor {
  return ops.scalar_tensor(v, factoryOpts(opts));
}

export function cat(tensors: Tensor[], dim = 0): Tensor { return ops.cat(tensors, dim); }
export function stack(tensors: Tensor[], dim = 0): Tensor { return ops.stack(tensors, dim); }
export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor { return ops.where$self(cond, a, b); }

export { isFloatingDType };
