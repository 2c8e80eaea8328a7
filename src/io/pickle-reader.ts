// A pickle reader for the opcodes Python emits for plain data (protocols 2 to 5). It never
// runs code: every GLOBAL goes through `findClass`, which decides what the name means and
// refuses everything it does not know, so untrusted files cannot execute anything.
//
// Python values become: None -> null, bool -> boolean, int -> number (bigint beyond 2^53),
// float -> number, str -> string, bytes -> Buffer, list and tuple -> array, dict -> Map,
// set -> Set. Python 2 str becomes a latin1 string, or a Buffer with `encoding: 'bytes'`
// (the same choice as Python 3's pickle.load(encoding=...)).

/** A Python callable named by a GLOBAL, as understood by the caller's `findClass`. */
export class PyCallable {
  constructor(readonly pyName: string, readonly call: (args: unknown[]) => unknown) {}
}

export interface PickleHooks {
  /** Resolves `module.name`; return a PyCallable for things that are called, or any value. */
  findClass(module: string, name: string): unknown;
  /** Resolves a persistent id (BINPERSID); torch.save uses it for tensor storages. */
  persistentLoad?(pid: unknown): unknown;
  /** Applies BUILD state to an object; the default accepts attribute dicts on Maps and ignores them. */
  build?(obj: unknown, state: unknown): unknown;
  /** Maps each dict key before it is stored (e.g. bytes keys to strings); keys are kept as read by default. */
  dictKey?(key: unknown): unknown;
  /** What Python 2 str (BINSTRING, SHORT_BINSTRING) becomes: a latin1-decoded string (default) or raw bytes. */
  encoding?: 'latin1' | 'bytes';
}

function defaultBuild(obj: unknown, state: unknown, fail: (m: string) => never): unknown {
  // PyTorch sets attributes such as `_metadata` on OrderedDict state dicts; they only carry
  // module version numbers, which visionlab has no use for.
  if (obj instanceof Map && (state instanceof Map || state === null)) return obj;
  if (obj instanceof Map && Array.isArray(state) && state.length === 2) return obj;
  return fail(`BUILD (setting the state of an object) is not supported for ${describe(obj)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PyCallable) return v.pyName;
  if (Array.isArray(v)) return 'a list/tuple';
  if (v instanceof Map) return 'a dict';
  return typeof v === 'object' ? (v as object).constructor?.name ?? 'an object' : `a ${typeof v}`;
}

function toSafeNumber(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function readLong(bytes: Buffer): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return toSafeNumber(v);
}

/** Unpickles one object; `source` (e.g. 'model.pt:archive/data.pkl') prefixes every error. */
export function unpickle(data: Uint8Array, hooks: PickleHooks, source = '<pickle>'): unknown {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  let opStart = 0;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  function fail(msg: string): never {
    throw new Error(`${source}: at byte ${opStart}: ${msg}`);
  }
  function take(n: number): Buffer {
    if (n < 0 || pos + n > buf.length) fail(`needs ${n} more bytes but the data ends at byte ${buf.length} (truncated?)`);
    const out = buf.subarray(pos, pos + n);
    pos += n;
    return out;
  }
  const u8 = () => take(1)[0]!;
  const u16 = () => take(2).readUInt16LE(0);
  const u32 = () => take(4).readUInt32LE(0);
  const u64 = () => {
    const v = take(8).readBigUInt64LE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`length ${v} is too large`);
    return Number(v);
  };
  function line(): string {
    const end = buf.indexOf(0x0a, pos);
    if (end < 0) fail('unterminated text line (truncated?)');
    const s = buf.toString('utf8', pos, end);
    pos = end + 1;
    return s;
  }
  function pop(): unknown {
    if (stack.length === 0) fail('stack underflow (corrupt pickle)');
    return stack.pop();
  }
  function top(): unknown {
    if (stack.length === 0) fail('stack underflow (corrupt pickle)');
    return stack[stack.length - 1];
  }
  function popMark(): unknown[] {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) fail('no MARK on the stack (corrupt pickle)');
    stack = prev;
    return items;
  }
  function call(fn: unknown, args: unknown): unknown {
    if (!(fn instanceof PyCallable)) fail(`cannot call ${describe(fn)}`);
    if (!Array.isArray(args)) fail(`arguments to ${fn.pyName} are not a tuple`);
    return fn.call(args);
  }
  function resolveGlobal(module: string, name: string): unknown {
    return hooks.findClass(module, name);
  }
  function setItems(target: unknown, items: unknown[]): void {
    if (!(target instanceof Map)) fail(`SETITEMS on ${describe(target)}, not a dict`);
    if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) target.set(hooks.dictKey ? hooks.dictKey(items[i]) : items[i], items[i + 1]);
  }
  function py2String(n: number): string | Buffer {
    const raw = take(n);
    return hooks.encoding === 'bytes' ? Buffer.from(raw) : raw.toString('latin1');
  }
  function memoGet(key: number): unknown {
    if (!memo.has(key)) fail(`memo entry ${key} was never stored (corrupt pickle)`);
    return memo.get(key);
  }
  function appendItems(target: unknown, items: unknown[]): void {
    if (!Array.isArray(target)) fail(`APPENDS on ${describe(target)}, not a list`);
    target.push(...items);
  }

  for (;;) {
    opStart = pos;
    const op = u8();
    switch (op) {
      case 0x80: { // PROTO
        const proto = u8();
        if (proto > 5) fail(`pickle protocol ${proto} is newer than this reader (up to 5)`);
        break;
      }
      case 0x95: take(8); break; // FRAME: framing is only a read-ahead hint
      case 0x2e: // STOP
        return pop();
      case 0x28: metastack.push(stack); stack = []; break; // MARK
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(take(4).readInt32LE(0)); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(readLong(take(u8()))); break; // LONG1
      case 0x8b: { // LONG4
        const n = take(4).readInt32LE(0);
        if (n < 0) fail('LONG4 with a negative length');
        stack.push(readLong(take(n)));
        break;
      }
      case 0x47: stack.push(take(8).readDoubleBE(0)); break; // BINFLOAT
      case 0x58: { const n = u32(); stack.push(take(n).toString('utf8')); break; } // BINUNICODE
      case 0x8c: { const n = u8(); stack.push(take(n).toString('utf8')); break; } // SHORT_BINUNICODE
      case 0x8d: { const n = u64(); stack.push(take(n).toString('utf8')); break; } // BINUNICODE8
      case 0x54: { const n = take(4).readInt32LE(0); stack.push(py2String(n)); break; } // BINSTRING
      case 0x55: { const n = u8(); stack.push(py2String(n)); break; } // SHORT_BINSTRING
      // Text opcodes of protocols 0 and 1, which Python 2's pickles still mix in.
      case 0x49: { const s = line(); stack.push(s === '00' ? false : s === '01' ? true : Number(s)); break; } // INT (00/01 are bools)
      case 0x4c: stack.push(Number(line().replace(/L$/, ''))); break; // LONG (text)
      case 0x46: stack.push(Number(line())); break; // FLOAT (text)
      case 0x42: { const n = u32(); stack.push(Buffer.from(take(n))); break; } // BINBYTES
      case 0x43: { const n = u8(); stack.push(Buffer.from(take(n))); break; } // SHORT_BINBYTES
      case 0x8e: { const n = u64(); stack.push(Buffer.from(take(n))); break; } // BINBYTES8
      case 0x96: { const n = u64(); stack.push(Buffer.from(take(n))); break; } // BYTEARRAY8
      case 0x74: { const items = popMark(); stack.push(items); break; } // TUPLE (popMark swaps `stack`, so pop first)
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x6c: { const items = popMark(); stack.push(items); break; } // LIST
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x64: { const items = popMark(); const d = new Map(); setItems(d, items); stack.push(d); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x90: { // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) fail(`ADDITEMS on ${describe(s)}, not a set`);
        for (const i of items) s.add(i);
        break;
      }
      case 0x91: { const items = popMark(); stack.push(new Set(items)); break; } // FROZENSET
      case 0x63: { const module = line(); const name = line(); stack.push(resolveGlobal(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x52: { const args = pop(); const fn = pop(); stack.push(call(fn, args)); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); stack.push(call(cls, args)); break; } // NEWOBJ
      case 0x92: { // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (kwargs instanceof Map && kwargs.size > 0) fail(`keyword arguments to ${describe(cls)} are not supported`);
        stack.push(call(cls, args));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const obj = pop();
        stack.push(hooks.build ? hooks.build(obj, state) : defaultBuild(obj, state, fail));
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!hooks.persistentLoad) fail('persistent id found but no persistent loader was given');
        stack.push(hooks.persistentLoad(pid));
        break;
      }
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x70: memo.set(Number(line()), top()); break; // PUT (text)
      case 0x68: stack.push(memoGet(u8())); break; // BINGET
      case 0x6a: stack.push(memoGet(u32())); break; // LONG_BINGET
      case 0x67: stack.push(memoGet(Number(line()))); break; // GET (text)
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} ('${String.fromCharCode(op)}')`);
    }
  }
}
