// Calls any registered operator by schema name, for ops without a generated binding.
import { native as N } from './native.js';
import { Tensor, wrap } from './tensor.js';
import { Generator } from './generator.js';

const handles = new Map<string, number>();

function toNative(v: unknown): unknown {
  if (v instanceof Tensor || v instanceof Generator) return v.h;
  if (Array.isArray(v)) return v.map(toNative);
  return v;
}

function fromNative(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return wrap(v);
  if (Array.isArray(v)) return v.map(fromNative);
  return v;
}

/** `callOp('aten::add', 'Tensor', a, b)`: positional arguments in schema order, undefined for defaults. */
export function callOp(name: string, overload: string, ...args: unknown[]): unknown {
  const key = `${name}.${overload}`;
  let h = handles.get(key);
  if (h === undefined) {
    h = N.opHandle(name, overload);
    handles.set(key, h);
  }
  return fromNative(N.call(h, ...args.map(toNative)));
}

/**
 * Seconds per call of an operator timed inside libtorch (arguments converted once), for
 * benchmarks that separate libtorch's own cost from the binding's.
 */
export function timeOpInLibtorch(name: string, overload: string, iterations: number, ...args: unknown[]): number {
  const key = `${name}.${overload}`;
  let h = handles.get(key);
  if (h === undefined) {
    h = N.opHandle(name, overload);
    handles.set(key, h);
  }
  return N.timeCall(h, iterations, ...args.map(toNative));
}
