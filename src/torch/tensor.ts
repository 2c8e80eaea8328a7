// The Tensor class: one handle to one libtorch tensor, with the convenience methods a
// PyTorch user expects. Heavy lifting is in the generated operator bindings.
import { native as N, type Handle } from './native.js';
import { type DType, dtypeName, typedArrayFor, type TypedArray, isDTypeName } from './dtype.js';
import { track } from './scope.js';
import { registerTensorClass, wrap } from './handle.js';
import { parseDevice } from './device.js';
import * as ops from './ops.generated.js';
import { type MemoryFormat, memoryFormatCode } from './enums.generated.js';

export { wrap, handleOf, optHandleOf } from './handle.js';

export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | Scalar;
export type Shape = readonly number[];
export type IndexItem = number | null | '...' | Slice | Tensor | number[];
export interface Slice { start?: number; end?: number; step?: number; __slice: true }

/** A Python-like slice for `Tensor.index`: `slice(1, 3)` is `1:3`, `slice()` is `:`. */
export function slice(start?: number, end?: number, step?: number): Slice {
  return { start, end, step, __slice: true };
}

function dims(d: number | number[]): number[] {
  return typeof d === 'number' ? [d] : d;
}

export class Tensor {
  readonly h: Handle;
  private disposed = false;

  constructor(h: Handle) {
    this.h = h;
    track(this);
  }

  // ---- metadata ----
  get shape(): number[] { return N.shape(this.h); }
  get ndim(): number { return N.dim(this.h); }
  get dtype(): DType { return dtypeName(N.dtype(this.h)); }
  get device(): string { return N.device(this.h); }
  get isDisposed(): boolean { return this.disposed; }
  numel(): number { return N.numel(this.h); }
  size(dim?: number): number | number[] {
    const s = this.shape;
    if (dim === undefined) return s;
    return s[dim < 0 ? s.length + dim : dim]!;
  }

  // ---- memory ----
  dispose(): void {
    if (!this.disposed) {
      this.disposed = true;
      N.dispose(this.h);
    }
  }
  [Symbol.dispose](): void { this.dispose(); }

  // ---- reading back ----
  /** The elements in row-major order; int64 as BigInt64Array, float16/bfloat16 as Float32Array. */
  toTypedArray(): TypedArray {
    const d = this.dtype;
    if (d === 'float16' || d === 'bfloat16') return this.to('float32').toTypedArrayAndDispose();
    return typedArrayFor(d, N.toBuffer(this.h));
  }
  private toTypedArrayAndDispose(): TypedArray {
    const a = this.toTypedArray();
    this.dispose();
    return a;
  }
  /** Elements as plain numbers (int64 converted to number). */
  toFlatArray(): number[] {
    const a = this.toTypedArray();
    if (a instanceof BigInt64Array) return Array.from(a, (x) => Number(x));
    return Array.from(a as ArrayLike<number>);
  }
  /** Nested arrays of numbers (booleans for bool tensors), like PyTorch's tolist(). */
  toArray(): unknown {
    const flat = this.toFlatArray();
    const isBool = this.dtype === 'bool';
    const shape = this.shape;
    let i = 0;
    const build = (d: number): unknown => {
      if (d === shape.length) {
        const v = flat[i++]!;
        return isBool ? v !== 0 : v;
      }
      return Array.from({ length: shape[d]! }, () => build(d + 1));
    };
    return build(0);
  }
  item(): number {
    const v = N.item(this.h);
    return typeof v === 'boolean' ? (v ? 1 : 0) : v;
  }
  toString(): string { return `Tensor(${N.describe(this.h)})`; }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    if (this.disposed) return 'Tensor(<disposed>)';
    const n = this.numel();
    return n <= 64 ? `Tensor(${N.describe(this.h)} ${JSON.stringify(this.toArray())})` : this.toString();
  }

  // ---- conversion ----
  to(target: DType | string | { dtype?: DType; device?: string }, opts: { copy?: boolean; nonBlocking?: boolean } = {}): Tensor {
    let dtype: DType | undefined;
    let device: string | undefined;
    if (typeof target === 'string') {
      // Device-looking strings go through the device parser (so 'cuda:x' is reported as a
      // bad device); anything else is a dtype, and dtypeCode names it if it is unknown.
      if (!isDTypeName(target) && /^(cpu|cuda|mps|meta)\b/.test(target)) {
        parseDevice(target);
        device = target;
      } else {
        dtype = target as DType;
      }
    } else {
      dtype = target.dtype;
      device = target.device;
    }
    return ops.to$dtype_layout(this, { dtype: dtype ?? null, device: device ?? null, copy: opts.copy, non_blocking: opts.nonBlocking });
  }
  cpu(): Tensor { return this.to('cpu'); }
  cuda(index = 0): Tensor { return this.to(`cuda:${index}`); }
  float(): Tensor { return this.to('float32'); }
  double(): Tensor { return this.to('float64'); }
  long(): Tensor { return this.to('int64'); }
  int(): Tensor { return this.to('int32'); }
  bool(): Tensor { return this.to('bool'); }
  half(): Tensor { return this.to('float16'); }

  // ---- autograd ----
  /** Made inside inferenceMode(): readable anywhere, but never saved for backward or updated in place outside it. */
  get isInference(): boolean { return N.isInferenceTensor(this.h); }
  get requiresGrad(): boolean { return N.requiresGrad(this.h); }
  set requiresGrad(on: boolean) { N.setRequiresGrad(this.h, on); }
  requiresGrad_(on = true): this { N.setRequiresGrad(this.h, on); return this; }
  get isLeaf(): boolean { return N.isLeaf(this.h); }
  get gradFn(): string | undefined { return N.gradFn(this.h); }
  get grad(): Tensor | undefined {
    const g = N.grad(this.h);
    return g === undefined ? undefined : wrap(g);
  }
  set grad(g: Tensor | undefined) { N.setGrad(this.h, g?.h); }
  /** Drops the accumulated gradient (like PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void { N.setGrad(this.h, undefined); }
  retainGrad(): this { N.retainGrad(this.h); return this; }
  backward(gradient?: Tensor, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    N.backward(this.h, gradient?.h, opts.retainGraph, opts.createGraph);
  }
  detach(): Tensor { return ops.detach(this); }
  detach_(): this { ops.detach_(this); return this; }

  // ---- arithmetic (broadcasting; numbers become Scalars) ----
  add(o: TensorOrScalar, alpha?: number): Tensor {
    return o instanceof Tensor ? ops.add$Tensor(this, o, alpha === undefined ? undefined : { alpha }) : ops.add$Scalar(this, o, alpha);
  }
  sub(o: TensorOrScalar, alpha?: number): Tensor {
    return o instanceof Tensor ? ops.sub$Tensor(this, o, alpha === undefined ? undefined : { alpha }) : ops.sub$Scalar(this, o, alpha);
  }
  mul(o: TensorOrScalar): Tensor { return o instanceof Tensor ? ops.mul$Tensor(this, o) : ops.mul$Scalar(this, o); }
  div(o: TensorOrScalar, roundingMode?: 'trunc' | 'floor'): Tensor {
    if (roundingMode) return o instanceof Tensor ? ops.div$Tensor_mode(this, o, { rounding_mode: roundingMode }) : ops.div$Scalar_mode(this, o, { rounding_mode: roundingMode });
    return o instanceof Tensor ? ops.div$Tensor(this, o) : ops.div$Scalar(this, o);
  }
  remainder(o: TensorOrScalar): Tensor { return o instanceof Tensor ? ops.remainder$Tensor(this, o) : ops.remainder$Scalar(this, o); }
  pow(o: TensorOrScalar): Tensor { return o instanceof Tensor ? ops.pow$Tensor_Tensor(this, o) : ops.pow$Tensor_Scalar(this, o); }
  neg(): Tensor { return ops.neg(this); }
  matmul(o: Tensor): Tensor { return ops.matmul(this, o); }
  mm(o: Tensor): Tensor { return ops.mm(this, o); }
  maximum(o: Tensor): Tensor { return ops.maximum(this, o); }
  minimum(o: Tensor): Tensor { return ops.minimum(this, o); }
  add_(o: TensorOrScalar, alpha?: number): this {
    if (o instanceof Tensor) ops.add_$Tensor(this, o, alpha === undefined ? undefined : { alpha });
    else ops.add_$Scalar(this, o, alpha);
    return this;
  }
  sub_(o: TensorOrScalar, alpha?: number): this {
    if (o instanceof Tensor) ops.sub_$Tensor(this, o, alpha === undefined ? undefined : { alpha });
    else ops.sub_$Scalar(this, o, alpha);
    return this;
  }
  mul_(o: TensorOrScalar): this { if (o instanceof Tensor) ops.mul_$Tensor(this, o); else ops.mul_$Scalar(this, o); return this; }
  div_(o: TensorOrScalar): this { if (o instanceof Tensor) ops.div_$Tensor(this, o); else ops.div_$Scalar(this, o); return this; }
  addcmul_(a: Tensor, b: Tensor, value = 1): this { ops.addcmul_(this, a, b, { value }); return this; }
  addcdiv_(a: Tensor, b: Tensor, value = 1): this { ops.addcdiv_(this, a, b, { value }); return this; }
  lerp_(end: Tensor, weight: number): this { ops.lerp_$Scalar(this, end, weight); return this; }
  clamp_(min?: number, max?: number): this { ops.clamp_(this, min ?? null, max ?? null); return this; }
  zero_(): this { ops.zero_(this); return this; }
  fill_(v: Scalar): this { ops.fill_$Scalar(this, v); return this; }
  copy_(src: Tensor): this { ops.copy_(this, src); return this; }
  uniform_(from = 0, to = 1): this { ops.uniform_(this, from, to); return this; }
  normal_(mean = 0, std = 1): this { ops.normal_(this, mean, std); return this; }

  // ---- comparison ----
  eq(o: TensorOrScalar): Tensor { return o instanceof Tensor ? ops.eq$Tensor(this, o) : ops.eq$Scalar(this, o); }
  ne(o: TensorOrScalar): Tensor { return o instanceof Tensor ? ops.ne$Tensor(this, o) : ops.ne$Scalar(this, o); }
  lt(o: TensorOrScalar): Tensor { return o instanceof Tensor ? ops.lt$Tensor(this, o) : ops.lt$Scalar(this, o); }
  le(o: TensorOrScalar): Tensor { return o instanceof Tensor ? ops.le$Tensor(this, o) : ops.le$Scalar(this, o); }
  gt(o: TensorOrScalar): Tensor { return o instanceof Tensor ? ops.gt$Tensor(this, o) : ops.gt$Scalar(this, o); }
  ge(o: TensorOrScalar): Tensor { return o instanceof Tensor ? ops.ge$Tensor(this, o) : ops.ge$Scalar(this, o); }
  logicalNot(): Tensor { return ops.logical_not(this); }
  logicalAnd(o: Tensor): Tensor { return ops.logical_and(this, o); }
  logicalOr(o: Tensor): Tensor { return ops.logical_or(this, o); }
  allClose(o: Tensor, rtol = 1e-5, atol = 1e-8): boolean { return ops.allclose(this, o, rtol, atol); }
  where(cond: Tensor, other: TensorOrScalar): Tensor {
    return other instanceof Tensor ? ops.where$self(cond, this, other) : ops.where$ScalarOther(cond, this, other);
  }

  // ---- unary math ----
  abs(): Tensor { return ops.abs(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  log1p(): Tensor { return ops.log1p(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  rsqrt(): Tensor { return ops.rsqrt(this); }
  square(): Tensor { return ops.square(this); }
  sign(): Tensor { return ops.sign(this); }
  floor(): Tensor { return ops.floor(this); }
  ceil(): Tensor { return ops.ceil(this); }
  round(): Tensor { return ops.round(this); }
  sin(): Tensor { return ops.sin(this); }
  cos(): Tensor { return ops.cos(this); }
  reciprocal(): Tensor { return ops.reciprocal(this); }
  relu(): Tensor { return ops.relu(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  clamp(min?: number | null, max?: number | null): Tensor { return ops.clamp(this, min ?? null, max ?? null); }
  softmax(dim: number): Tensor { return ops.softmax$int(this, dim); }
  logSoftmax(dim: number): Tensor { return ops.log_softmax$int(this, dim); }

  // ---- reductions ----
  sum(dim?: number | number[], keepdim = false): Tensor {
    return dim === undefined ? ops.sum(this) : ops.sum$dim_IntList(this, dims(dim), keepdim);
  }
  mean(dim?: number | number[], keepdim = false): Tensor {
    return dim === undefined ? ops.mean(this) : ops.mean$dim(this, dims(dim), keepdim);
  }
  /** Unbiased by default, like PyTorch; pass correction 0 for the population statistic. */
  std(dim?: number | number[], keepdim = false, correction = 1): Tensor {
    return ops.std$correction(this, dim === undefined ? null : dims(dim), { correction, keepdim });
  }
  var(dim?: number | number[], keepdim = false, correction = 1): Tensor {
    return ops.var$correction(this, dim === undefined ? null : dims(dim), { correction, keepdim });
  }
  prod(): Tensor { return ops.prod(this); }
  norm(p = 2): Tensor { return ops.norm$Scalar(this, p); }
  max(): Tensor;
  max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  max(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (dim === undefined) return ops.max(this);
    const [values, indices] = ops.max$dim(this, dim, keepdim);
    return { values, indices };
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  min(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (dim === undefined) return ops.min(this);
    const [values, indices] = ops.min$dim(this, dim, keepdim);
    return { values, indices };
  }
  argmax(dim?: number, keepdim = false): Tensor { return ops.argmax(this, dim ?? null, keepdim); }
  argmin(dim?: number, keepdim = false): Tensor { return ops.argmin(this, dim ?? null, keepdim); }
  topk(k: number, dim = -1, largest = true, sorted = true): { values: Tensor; indices: Tensor } {
    const [values, indices] = ops.topk(this, k, dim, largest, sorted);
    return { values, indices };
  }
  sort(dim = -1, descending = false): { values: Tensor; indices: Tensor } {
    const [values, indices] = ops.sort(this, dim, descending);
    return { values, indices };
  }
  argsort(dim = -1, descending = false): Tensor { return ops.argsort(this, dim, descending); }
  cumsum(dim: number): Tensor { return ops.cumsum(this, dim); }
  any(): Tensor { return ops.any(this); }
  all(): Tensor { return ops.all(this); }

  // ---- shape ----
  reshape(...shape: number[] | [number[]]): Tensor { return ops.reshape(this, flatShape(shape)); }
  view(...shape: number[] | [number[]]): Tensor { return ops.view(this, flatShape(shape)); }
  permute(...order: number[] | [number[]]): Tensor { return ops.permute(this, flatShape(order)); }
  transpose(a: number, b: number): Tensor { return ops.transpose$int(this, a, b); }
  get T(): Tensor { return ops.numpy_T(this); }
  t(): Tensor { return ops.t(this); }
  flatten(startDim = 0, endDim = -1): Tensor { return ops.flatten$using_ints(this, startDim, endDim); }
  squeeze(dim?: number): Tensor { return dim === undefined ? ops.squeeze(this) : ops.squeeze$dim(this, dim); }
  unsqueeze(dim: number): Tensor { return ops.unsqueeze(this, dim); }
  expand(...shape: number[] | [number[]]): Tensor { return ops.expand(this, flatShape(shape)); }
  expandAs(o: Tensor): Tensor { return ops.expand_as(this, o); }
  repeat(...times: number[] | [number[]]): Tensor { return ops.repeat(this, flatShape(times)); }
  /** A dense copy in the memory format (default the usual row-major one), or this tensor's data when already so. */
  contiguous(memoryFormat?: MemoryFormat): Tensor { return ops.contiguous(this, memoryFormat ? { memory_format: memoryFormat } : undefined); }
  /** Whether the elements are dense in that memory format ('channels_last': NHWC order of an NCHW tensor). */
  isContiguous(memoryFormat: MemoryFormat = 'contiguous_format'): boolean { return N.isContiguous(this.h, memoryFormatCode(memoryFormat)); }
  clone(): Tensor { return ops.clone(this); }
  flip(dims_: number | number[]): Tensor { return ops.flip(this, dims(dims_)); }
  roll(shifts: number | number[], dim: number | number[]): Tensor { return ops.roll(this, shifts, dims(dim)); }
  chunk(chunks: number, dim = 0): Tensor[] { return ops.chunk(this, chunks, dim); }
  split(size: number | number[], dim = 0): Tensor[] {
    return typeof size === 'number' ? ops.split$Tensor(this, size, dim) : ops.split_with_sizes(this, size, dim);
  }
  unbind(dim = 0): Tensor[] { return ops.unbind$int(this, dim); }

  // ---- indexing ----
  /** `t.select(dim, i)`: drops dimension dim, keeping element i (negative counts from the end). */
  select(dim: number, index: number): Tensor { return ops.select$int(this, dim, index); }
  narrow(dim: number, start: number, length: number): Tensor { return ops.narrow(this, dim, start, length); }
  sliceDim(dim: number, start?: number, end?: number, step = 1): Tensor { return ops.slice$Tensor(this, dim, start ?? null, end ?? null, step); }
  indexSelect(dim: number, index: Tensor): Tensor { return ops.index_select(this, dim, index); }
  gather(dim: number, index: Tensor): Tensor { return ops.gather(this, dim, index); }
  scatter(dim: number, index: Tensor, src: TensorOrScalar): Tensor {
    return src instanceof Tensor ? ops.scatter$src(this, dim, index, src) : ops.scatter$value(this, dim, index, src);
  }
  maskedFill(mask: Tensor, value: Scalar): Tensor { return ops.masked_fill$Scalar(this, mask, value); }
  maskedSelect(mask: Tensor): Tensor { return ops.masked_select(this, mask); }
  nonzero(): Tensor { return ops.nonzero(this); }
  /**
   * Python-style indexing: numbers select, `slice(a, b, step)` slices, null inserts a
   * dimension, '...' fills the remaining dimensions, and tensors or number arrays index
   * advanced-style (all advanced indices broadcast together, as in PyTorch).
   */
  index(...items: IndexItem[]): Tensor {
    let out: Tensor = this;
    let dim = 0;
    const advanced: (Tensor | null)[] = [];
    const consumed = items.filter((x) => x !== null && x !== '...').length;
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (it === '...') {
        const skip = this.ndim - consumed;
        for (let k = 0; k < skip; k++) advanced.push(null);
        dim += skip;
      } else if (it === null) {
        out = out.unsqueeze(dim);
        advanced.push(null);
        dim++;
      } else if (typeof it === 'number') {
        out = out.select(dim, it);
      } else if (it instanceof Tensor || Array.isArray(it)) {
        const idx = it instanceof Tensor ? it : wrap(N.fromBuffer(new BigInt64Array(it.map((x) => BigInt(x))), 4, [it.length]));
        while (advanced.length < dim) advanced.push(null);
        advanced.push(idx);
        dim++;
      } else {
        out = out.sliceDim(dim, it.start, it.end, it.step ?? 1);
        advanced.push(null);
        dim++;
      }
    }
    if (advanced.some((a) => a !== null)) {
      while (advanced.length && advanced[advanced.length - 1] === null) advanced.pop();
      out = ops.index$Tensor(out, advanced);
    }
    return out === this ? ops.alias(this) : out;
  }
  /** In-place `t[indices] = value` with advanced indices (one entry per leading dimension, null for `:`). */
  indexPut_(indices: (Tensor | null)[], value: TensorOrScalar, accumulate = false): this {
    const v = value instanceof Tensor ? value : ops.scalar_tensor(value, { dtype: this.dtype, device: this.device });
    ops.index_put_(this, indices, v, accumulate);
    return this;
  }
}

registerTensorClass(Tensor);

function flatShape(args: number[] | [number[]]): number[] {
  return Array.isArray(args[0]) ? (args[0] as number[]) : (args as number[]);
}
