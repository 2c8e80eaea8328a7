// Emits pickle protocol 2 opcodes, the protocol torch.save uses. Callers compose values
// from these primitives; nothing here knows about tensors.
export class PickleWriter {
  private chunks: Buffer[] = [];

  constructor() {
    this.bytes(0x80, 2); // PROTO 2
  }

  private bytes(...b: number[]): void { this.chunks.push(Buffer.from(b)); }

  none(): void { this.bytes(0x4e); }
  bool(v: boolean): void { this.bytes(v ? 0x88 : 0x89); }

  int(v: number | bigint): void {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new RangeError(`pickle: ${v} is not a safe integer`);
    const n = BigInt(v);
    if (n >= 0n && n < 256n) return this.bytes(0x4b, Number(n)); // BININT1
    if (n >= 0n && n < 65536n) { const b = Buffer.alloc(3); b[0] = 0x4d; b.writeUInt16LE(Number(n), 1); this.chunks.push(b); return; }
    if (n >= -(2n ** 31n) && n < 2n ** 31n) { const b = Buffer.alloc(5); b[0] = 0x4a; b.writeInt32LE(Number(n), 1); this.chunks.push(b); return; }
    // LONG1: little-endian two's complement in as few bytes as keep the sign.
    const out: number[] = [];
    let x = n;
    for (;;) {
      const byte = Number(x & 0xffn);
      out.push(byte);
      x >>= 8n;
      if ((x === 0n && !(byte & 0x80)) || (x === -1n && byte & 0x80)) break;
    }
    this.bytes(0x8a, out.length, ...out);
  }

  float(v: number): void {
    const b = Buffer.alloc(9);
    b[0] = 0x47; // BINFLOAT, big-endian as pickle defines it
    b.writeDoubleBE(v, 1);
    this.chunks.push(b);
  }

  string(s: string): void {
    const body = Buffer.from(s, 'utf8');
    const head = Buffer.alloc(5);
    head[0] = 0x58; // BINUNICODE
    head.writeUInt32LE(body.length, 1);
    this.chunks.push(head, body);
  }

  /** GLOBAL module\nname\n: pushes a class or function by name. */
  global(module: string, name: string): void {
    this.bytes(0x63);
    this.chunks.push(Buffer.from(`${module}\n${name}\n`, 'utf8'));
  }

  mark(): void { this.bytes(0x28); }
  /** Builds a tuple from everything pushed since mark(). */
  tupleFromMark(): void { this.bytes(0x74); }
  emptyTuple(): void { this.bytes(0x29); }
  emptyList(): void { this.bytes(0x5d); }
  emptyDict(): void { this.bytes(0x7d); }
  /** Appends everything since mark() to the list below the mark. */
  appendsFromMark(): void { this.bytes(0x65); }
  /** Sets key/value pairs pushed since mark() on the dict below the mark. */
  setitemsFromMark(): void { this.bytes(0x75); }
  /** Calls the callable below the argument tuple on top. */
  reduce(): void { this.bytes(0x52); }
  /** Replaces the tuple on top by persistent_load(tuple). */
  persistentId(): void { this.bytes(0x51); }
  stop(): void { this.bytes(0x2e); }

  finish(): Buffer {
    this.stop();
    return Buffer.concat(this.chunks);
  }
}
