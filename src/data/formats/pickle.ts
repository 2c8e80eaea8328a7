// The Python pickles datasets ship in (CIFAR's python batches: protocol 2 from Python 2's
// cPickle, and the same data re-pickled by Python 3), read with the engine's pickle reader.
// Only the few globals needed for numpy arrays are recognised; any other global is an
// error, so no code ever runs.
import { unpickle, PyCallable } from '../../io/pickle-reader.js';

/** A numpy ndarray: raw bytes plus its dtype descriptor (e.g. '|u1', '<f4') and shape. */
export interface NdArray { kind: 'ndarray'; dtype: string; shape: number[]; fortranOrder: boolean; data: Uint8Array }
interface NpDType { kind: 'dtype'; descr: string }
/** An ndarray made by _reconstruct, waiting for its state from BUILD. */
interface PendingArray { kind: 'pending-ndarray' }

/** Python dict keys become strings (bytes keys decoded as latin1), values stay as parsed. */
export type PyDict = Map<string | number, unknown>;

function dictKey(k: unknown): string | number {
  if (typeof k === 'string' || typeof k === 'number') return k;
  if (k instanceof Uint8Array) return Buffer.from(k).toString('latin1');
  throw new Error(`pickle: unsupported dict key type ${typeof k}`);
}

function asBytes(v: unknown): Uint8Array | undefined {
  return v instanceof Uint8Array ? v : undefined;
}

export function loadPickle(bytes: Uint8Array, file = '<buffer>'): unknown {
  const fail = (msg: string): never => { throw new Error(`${file}: pickle: ${msg}`); };
  const newArray = (): PendingArray => ({ kind: 'pending-ndarray' });
  // The globals a numpy array pickle names, by their numpy 1.x and 2.x module paths.
  const globals: Record<string, (args: unknown[]) => unknown> = {
    'numpy.core.multiarray._reconstruct': newArray,
    'numpy._core.multiarray._reconstruct': newArray,
    'numpy.ndarray': newArray,
    'numpy.dtype': (args) => {
      const descr = String(args[0]);
      return { kind: 'dtype', descr: /^[<>|=]/.test(descr) ? descr : `|${descr}` } satisfies NpDType;
    },
    '_codecs.encode': (args) => {
      // Python 3 writes bytes under protocol 2 as _codecs.encode(latin1-decoded str, 'latin1').
      if (args[1] !== 'latin1' && args[1] !== 'latin-1') fail(`_codecs.encode with encoding ${String(args[1])}`);
      return Buffer.from(String(args[0]), 'latin1');
    },
    'numpy.core.numeric._frombuffer': frombuffer,
    'numpy._core.numeric._frombuffer': frombuffer,
  };
  function frombuffer(args: unknown[]): NdArray {
    // Protocol 5: _frombuffer(buffer, dtype, shape, order).
    const [data, dtype, shape, order] = args as [unknown, NpDType, number[], string];
    const bytes = asBytes(data) ?? fail('_frombuffer without a byte buffer');
    return { kind: 'ndarray', dtype: dtype.descr, shape: [...shape], fortranOrder: order === 'F', data: bytes };
  }

  function findClass(module: string, name: string): PyCallable {
    const full = `${module}.${name}`;
    const fn = globals[full];
    if (!fn) return fail(`unsupported global ${full} (only numpy arrays and plain containers are read)`);
    return new PyCallable(full, fn);
  }

  function build(obj: unknown, state: unknown): unknown {
    const o = obj as PendingArray | NpDType;
    if (o?.kind === 'dtype') {
      // state = (version, byteorder, subarray, names, fields, elsize, alignment, flags)
      const order = Array.isArray(state) ? String(state[1]) : '|';
      o.descr = `${order === '=' ? '<' : order}${o.descr.slice(1)}`;
      return o;
    }
    if (o?.kind === 'pending-ndarray') {
      // state = (version, shape, dtype, is_fortran, raw bytes or list)
      if (!Array.isArray(state) || state.length < 5) fail('ndarray state is not (version, shape, dtype, fortran, data)');
      const [, shape, dtype, fortran, raw] = state as [number, number[], NpDType, boolean, unknown];
      const data = asBytes(raw) ?? (typeof raw === 'string' ? Buffer.from(raw, 'latin1') : fail('ndarray of Python objects is not supported'));
      return Object.assign(o, { kind: 'ndarray', dtype: dtype.descr, shape: [...shape], fortranOrder: !!fortran, data }) as unknown as NdArray;
    }
    return fail('BUILD on an unsupported object');
  }

  return unpickle(bytes, { findClass, build, dictKey, encoding: 'bytes' }, `${file}: pickle`);
}

export function isNdArray(v: unknown): v is NdArray {
  return typeof v === 'object' && v !== null && (v as NdArray).kind === 'ndarray';
}
