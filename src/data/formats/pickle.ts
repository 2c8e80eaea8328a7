// A minimal, safe reader for the Python pickles datasets ship in (CIFAR's python batches:
// protocol 2 from Python 2's cPickle, and the same data re-pickled by Python 3). It is a
// small pickle virtual machine that builds plain JS values and recognises only the few
// globals needed for numpy arrays; any other global is an error, so no code ever runs.

/** A Python tuple (kept apart from lists so callers can tell them apart if they care). */
export class PyTuple extends Array<unknown> {}
/** A numpy ndarray: raw bytes plus its dtype descriptor (e.g. '|u1', '<f4') and shape. */
export interface NdArray { kind: 'ndarray'; dtype: string; shape: number[]; fortranOrder: boolean; data: Uint8Array }
interface NpDType { kind: 'dtype'; descr: string }
interface PyGlobal { kind: 'global'; name: string }
interface PendingObject { kind: 'object'; cls: string; args: unknown[]; state?: unknown }

const MARK = Symbol('mark');
const ALLOWED_GLOBALS = new Set([
  'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct',
  'numpy.ndarray', 'numpy.dtype', '_codecs.encode',
  'numpy.core.numeric._frombuffer', 'numpy._core.numeric._frombuffer',
]);

/** Python dict keys become strings (bytes keys decoded as latin1), values stay as parsed. */
export type PyDict = Map<string | number, unknown>;

export function loadPickle(bytes: Uint8Array, file = '<buffer>'): unknown {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  const fail = (msg: string): never => { throw new Error(`${file}: pickle: ${msg} (at byte ${pos})`); };
  const need = (n: number) => { if (pos + n > buf.length) fail(`truncated: needs ${n} more bytes`); };
  const u8 = () => { need(1); return buf[pos++]!; };
  const u16 = () => { need(2); const v = buf.readUInt16LE(pos); pos += 2; return v; };
  const i32 = () => { need(4); const v = buf.readInt32LE(pos); pos += 4; return v; };
  const u32 = () => { need(4); const v = buf.readUInt32LE(pos); pos += 4; return v; };
  const u64 = () => { need(8); const v = Number(buf.readBigUInt64LE(pos)); pos += 8; return v; };
  const bytesN = (n: number) => { need(n); const b = buf.subarray(pos, pos + n); pos += n; return b; };
  const line = () => {
    const end = buf.indexOf(0x0a, pos);
    if (end < 0) fail('unterminated text line');
    const s = buf.toString('latin1', pos, end);
    pos = end + 1;
    return s;
  };
  const pop = () => (stack.length ? stack.pop() : fail('stack underflow'));
  const top = () => (stack.length ? stack[stack.length - 1] : fail('stack underflow'));
  const popMark = (): unknown[] => {
    let i = stack.length - 1;
    while (i >= 0 && stack[i] !== MARK) i--;
    if (i < 0) fail('no MARK on the stack');
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const makeGlobal = (module: string, name: string): PyGlobal => {
    const full = `${module}.${name}`;
    if (!ALLOWED_GLOBALS.has(full)) fail(`unsupported global ${full} (only numpy arrays and plain containers are read)`);
    return { kind: 'global', name: full.replace('numpy._core', 'numpy.core') };
  };
  const setItems = (d: unknown, items: unknown[]) => {
    if (!(d instanceof Map)) fail('SETITEM(S) on a non-dict');
    for (let i = 0; i + 1 < items.length; i += 2) (d as PyDict).set(dictKey(items[i]), items[i + 1]);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME: framing is only a hint for buffered readers
      case 0x2e: return pop(); // STOP
      case 0x28: stack.push(MARK); break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x8a: stack.push(readLong(bytesN(u8()))); break; // LONG1
      case 0x8b: stack.push(readLong(bytesN(u32()))); break; // LONG4
      case 0x49: { // INT (text): also encodes bools as 00/01
        const s = line();
        stack.push(s === '00' ? false : s === '01' ? true : Number(s));
        break;
      }
      case 0x4c: stack.push(Number(line().replace(/L$/, ''))); break; // LONG (text)
      case 0x47: { need(8); stack.push(buf.readDoubleBE(pos)); pos += 8; break; } // BINFLOAT
      case 0x46: stack.push(Number(line())); break; // FLOAT (text)
      case 0x55: stack.push(bytesN(u8())); break; // SHORT_BINSTRING (Python 2 str)
      case 0x54: stack.push(bytesN(u32())); break; // BINSTRING
      case 0x43: stack.push(bytesN(u8())); break; // SHORT_BINBYTES
      case 0x42: stack.push(bytesN(u32())); break; // BINBYTES
      case 0x8e: stack.push(bytesN(u64())); break; // BINBYTES8
      case 0x96: stack.push(bytesN(u64())); break; // BYTEARRAY8
      case 0x8c: stack.push(bytesN(u8()).toString('utf8')); break; // SHORT_BINUNICODE
      case 0x58: stack.push(bytesN(u32()).toString('utf8')); break; // BINUNICODE
      case 0x8d: stack.push(bytesN(u64()).toString('utf8')); break; // BINUNICODE8
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push(new PyTuple()); break; // EMPTY_TUPLE
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x74: stack.push(PyTuple.from(popMark()) as PyTuple); break; // TUPLE
      case 0x85: stack.push(PyTuple.of(pop()) as PyTuple); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push(PyTuple.of(a, b) as PyTuple); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(PyTuple.of(a, b, c) as PyTuple); break; } // TUPLE3
      case 0x64: { const d = new Map(); setItems(d, popMark()); stack.push(d); break; } // DICT
      case 0x61: { const v = pop(); const l = top(); if (!Array.isArray(l)) fail('APPEND on a non-list'); (l as unknown[]).push(v); break; } // APPEND
      case 0x65: { const items = popMark(); const l = top(); if (!Array.isArray(l)) fail('APPENDS on a non-list'); for (const it of items) (l as unknown[]).push(it); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x70: memo.set(Number(line()), top()); break; // PUT
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x67: stack.push(fromMemo(memo, Number(line()), fail)); break; // GET
      case 0x68: stack.push(fromMemo(memo, u8(), fail)); break; // BINGET
      case 0x6a: stack.push(fromMemo(memo, u32(), fail)); break; // LONG_BINGET
      case 0x63: { const module = line(); stack.push(makeGlobal(module, line())); break; } // GLOBAL
      case 0x93: { const name = pop(); const module = pop(); stack.push(makeGlobal(String(module), String(name))); break; } // STACK_GLOBAL
      case 0x52: { const args = pop(); const fn = pop(); stack.push(reduce(fn, args, fail)); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); stack.push(reduce(cls, args, fail)); break; } // NEWOBJ
      case 0x62: { const state = pop(); build(top(), state, fail); break; } // BUILD
      default: fail(`unsupported opcode 0x${op.toString(16)}`);
    }
  }
}

function fromMemo(memo: Map<number, unknown>, key: number, fail: (m: string) => never): unknown {
  if (!memo.has(key)) fail(`memo key ${key} missing`);
  return memo.get(key);
}

function readLong(b: Buffer): number {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
  return Number(v);
}

function dictKey(k: unknown): string | number {
  if (typeof k === 'string' || typeof k === 'number') return k;
  if (k instanceof Uint8Array) return Buffer.from(k).toString('latin1');
  throw new Error(`pickle: unsupported dict key type ${typeof k}`);
}

function asBytes(v: unknown): Uint8Array | undefined {
  return v instanceof Uint8Array ? v : undefined;
}

function reduce(fn: unknown, args: unknown, fail: (m: string) => never): unknown {
  const g = fn as PyGlobal;
  if (g?.kind !== 'global' || !Array.isArray(args)) return fail('REDUCE on something that is not a known callable');
  switch (g.name) {
    case 'numpy.core.multiarray._reconstruct':
    case 'numpy.ndarray':
      return { kind: 'object', cls: 'numpy.ndarray', args } satisfies PendingObject;
    case 'numpy.dtype': {
      const descr = String(args[0]);
      return { kind: 'dtype', descr: /^[<>|=]/.test(descr) ? descr : `|${descr}` } satisfies NpDType;
    }
    case '_codecs.encode': {
      // Python 3 writes bytes under protocol 2 as _codecs.encode(latin1-decoded str, 'latin1').
      if (args[1] !== 'latin1' && args[1] !== 'latin-1') fail(`_codecs.encode with encoding ${String(args[1])}`);
      return Buffer.from(String(args[0]), 'latin1');
    }
    case 'numpy.core.numeric._frombuffer': {
      // Protocol 5: _frombuffer(buffer, dtype, shape, order).
      const [data, dtype, shape, order] = args as [unknown, NpDType, number[], string];
      const bytes = asBytes(data) ?? fail('_frombuffer without a byte buffer');
      return { kind: 'ndarray', dtype: dtype.descr, shape: [...shape], fortranOrder: order === 'F', data: bytes } satisfies NdArray;
    }
  }
  return fail(`cannot call ${g.name}`);
}

function build(obj: unknown, state: unknown, fail: (m: string) => never): void {
  const o = obj as PendingObject | NpDType;
  if (o?.kind === 'dtype') {
    // state = (version, byteorder, subarray, names, fields, elsize, alignment, flags)
    const order = Array.isArray(state) ? String(state[1]) : '|';
    const base = o.descr.slice(1);
    o.descr = `${order === '=' ? '<' : order}${base}`;
    return;
  }
  if (o?.kind === 'object' && o.cls === 'numpy.ndarray') {
    // state = (version, shape, dtype, is_fortran, raw bytes or list)
    if (!Array.isArray(state) || state.length < 5) fail('ndarray state is not (version, shape, dtype, fortran, data)');
    const [, shape, dtype, fortran, raw] = state as [number, number[], NpDType, boolean, unknown];
    const data = asBytes(raw) ?? (typeof raw === 'string' ? Buffer.from(raw, 'latin1') : fail('ndarray of Python objects is not supported'));
    Object.assign(o, { kind: 'ndarray', dtype: dtype.descr, shape: [...shape], fortranOrder: !!fortran, data });
    return;
  }
  fail('BUILD on an unsupported object');
}

export function isNdArray(v: unknown): v is NdArray {
  return typeof v === 'object' && v !== null && (v as NdArray).kind === 'ndarray';
}
