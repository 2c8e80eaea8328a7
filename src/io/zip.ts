// A small zip reader and writer: enough for PyTorch's archives (torch.save writes stored,
// uncompressed entries with 64-byte-aligned data; other tools may deflate or use zip64).
import { crc32, inflateRawSync } from 'node:zlib';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIR = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END = 0x06064b50;
const ZIP64_EXTRA_ID = 0x0001;
// PyTorch pads local headers with an extra field of this id ("FB") to align the data.
const PADDING_EXTRA_ID = 0x4246;
const STORED = 0;
const DEFLATED = 8;
const U32_MAX = 0xffffffff;
// 1980-01-01 00:00, the earliest DOS date; a fixed timestamp keeps archives reproducible.
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

export interface ZipRecord {
  name: string;
  /** The uncompressed bytes; a view into the archive for stored entries. */
  read(): Buffer;
}

/** Reads the central directory of a zip archive held in memory; `source` prefixes errors. */
export function readZip(bytes: Uint8Array, source = '<buffer>'): Map<string, ZipRecord> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  function fail(msg: string): never { throw new Error(`${source}: not a valid zip archive: ${msg}`); }
  function need(offset: number, length: number, what: string): void {
    if (offset < 0 || offset + length > buf.length) fail(`${what} at byte ${offset} runs past the end of the file (${buf.length} bytes; truncated?)`);
  }

  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === END_OF_CENTRAL_DIR) { eocd = i; break; }
  }
  if (eocd < 0) fail('end-of-central-directory record not found (truncated?)');
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) {
    const locator = eocd - 20;
    if (locator < 0 || buf.readUInt32LE(locator) !== ZIP64_END_LOCATOR) fail('zip64 end-of-central-directory locator missing');
    const end64 = Number(buf.readBigUInt64LE(locator + 8));
    need(end64, 56, 'zip64 end-of-central-directory record');
    if (buf.readUInt32LE(end64) !== ZIP64_END) fail('zip64 end-of-central-directory record has a bad signature');
    count = Number(buf.readBigUInt64LE(end64 + 32));
    cdSize = Number(buf.readBigUInt64LE(end64 + 40));
    cdOffset = Number(buf.readBigUInt64LE(end64 + 48));
  }
  need(cdOffset, cdSize, 'central directory');

  const records = new Map<string, ZipRecord>();
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    need(p, 46, 'central directory entry');
    if (buf.readUInt32LE(p) !== CENTRAL_HEADER) fail(`central directory entry ${n} has a bad signature`);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    let compressedSize = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let localOffset = buf.readUInt32LE(p + 42);
    need(p + 46, nameLen + extraLen + commentLen, 'central directory entry');
    const name = buf.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
    // zip64 sizes and offsets replace the 32-bit fields that hold 0xffffffff, in this order.
    for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
      const id = buf.readUInt16LE(e);
      const len = buf.readUInt16LE(e + 2);
      if (id === ZIP64_EXTRA_ID) {
        let q = e + 4;
        if (size === U32_MAX) { size = Number(buf.readBigUInt64LE(q)); q += 8; }
        if (compressedSize === U32_MAX) { compressedSize = Number(buf.readBigUInt64LE(q)); q += 8; }
        if (localOffset === U32_MAX) localOffset = Number(buf.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    if (flags & 0x1) fail(`entry '${name}' is encrypted`);
    if (method !== STORED && method !== DEFLATED) fail(`entry '${name}' uses compression method ${method} (only stored and deflate are supported)`);
    need(localOffset, 30, `local header of '${name}'`);
    if (buf.readUInt32LE(localOffset) !== LOCAL_HEADER) fail(`local header of '${name}' has a bad signature`);
    // The local header's extra field may differ from the central one (PyTorch pads it).
    const dataStart = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    need(dataStart, compressedSize, `data of '${name}'`);
    records.set(name, {
      name,
      read(): Buffer {
        const raw = buf.subarray(dataStart, dataStart + compressedSize);
        let data: Buffer;
        if (method === STORED) data = raw;
        else {
          try { data = inflateRawSync(raw); } catch (e) { fail(`entry '${name}' does not inflate: ${(e as Error).message}`); }
        }
        if (data.length !== size) fail(`entry '${name}' holds ${data.length} bytes, the directory says ${size}`);
        if (crc32(data) >>> 0 !== crc) fail(`entry '${name}' fails its CRC-32 check (corrupt file?)`);
        return data;
      },
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return records;
}

export interface ZipWriteOptions {
  /** Entry data starts at a multiple of this many bytes (PyTorch uses 64, so storages can be memory-mapped). */
  alignment?: number;
}

/** Writes stored (uncompressed) entries into a zip archive, in the order given. */
export function writeZip(entries: { name: string; data: Uint8Array }[], opts: ZipWriteOptions = {}): Buffer {
  const alignment = opts.alignment ?? 64;
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const flags = nameBytes.length === name.length ? 0 : 0x800;
    const crc = crc32(data) >>> 0;
    const dataAt = offset + 30 + nameBytes.length;
    let extra = Buffer.alloc(0);
    if (alignment > 1 && dataAt % alignment !== 0) {
      const pad = (alignment - ((dataAt + 4) % alignment)) % alignment;
      extra = Buffer.alloc(4 + pad, 0x5a); // 'Z' filler, as PyTorch writes
      extra.writeUInt16LE(PADDING_EXTRA_ID, 0);
      extra.writeUInt16LE(pad, 2);
    }
    if (offset > U32_MAX || data.length > U32_MAX) throw new RangeError(`zip: '${name}' lies beyond 4 GiB; zip64 archives are not written`);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(STORED, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(extra.length, 28);
    parts.push(local, nameBytes, extra, Buffer.from(data.buffer, data.byteOffset, data.byteLength));

    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(CENTRAL_HEADER, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(flags, 8);
    dir.writeUInt16LE(STORED, 10);
    dir.writeUInt16LE(0, 12);
    dir.writeUInt16LE(DOS_DATE, 14);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(data.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(nameBytes.length, 28);
    dir.writeUInt32LE(offset, 42);
    central.push(dir, nameBytes);
    offset += 30 + nameBytes.length + extra.length + data.length;
  }
  const cdSize = central.reduce((a, b) => a + b.length, 0);
  if (entries.length > 0xffff || offset + cdSize > U32_MAX) throw new RangeError('zip: archive needs zip64 (over 65535 entries or 4 GiB), which is not written');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIR, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}
