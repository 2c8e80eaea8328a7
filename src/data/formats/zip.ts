// A small zip reader (stored and deflated members, zip64 sizes), enough for numpy's .npz.
import { inflateRawSync } from 'node:zlib';

export interface ZipMember { name: string; method: number; compressedSize: number; size: number; localHeaderOffset: number }

function findEndOfCentralDirectory(buf: Buffer, file: string): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  const stop = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= stop; i--) if (buf.readUInt32LE(i) === 0x06054b50) return i;
  throw new Error(`${file}: not a zip archive (no end-of-central-directory record; truncated?)`);
}

/** Lists an archive's members from its central directory. */
export function listZip(buf: Buffer, file = '<buffer>'): ZipMember[] {
  if (buf.length < 22) throw new Error(`${file}: not a zip archive (${buf.length} bytes)`);
  const eocd = findEndOfCentralDirectory(buf, file);
  let count = buf.readUInt16LE(eocd + 10);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  const locator = eocd - 20;
  if (locator >= 0 && buf.readUInt32LE(locator) === 0x07064b50) {
    const z64 = Number(buf.readBigUInt64LE(locator + 8));
    if (buf.readUInt32LE(z64) === 0x06064b50) {
      count = Number(buf.readBigUInt64LE(z64 + 32));
      cdOffset = Number(buf.readBigUInt64LE(z64 + 48));
    }
  }
  const members: ZipMember[] = [];
  let at = cdOffset;
  for (let k = 0; k < count; k++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: corrupt zip central directory at byte ${at}`);
    const method = buf.readUInt16LE(at + 10);
    let compressedSize = buf.readUInt32LE(at + 20);
    let size = buf.readUInt32LE(at + 24);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    let localHeaderOffset = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen);
    // Zip64 extra field (id 1): the 64-bit values, in order, for each 32-bit field that is 0xffffffff.
    let x = at + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = buf.readUInt16LE(x);
      const len = buf.readUInt16LE(x + 2);
      if (id === 1) {
        let p = x + 4;
        const next = () => { const v = Number(buf.readBigUInt64LE(p)); p += 8; return v; };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      x += 4 + len;
    }
    members.push({ name, method, compressedSize, size, localHeaderOffset });
    at = xEnd + commentLen;
  }
  return members;
}

/** The uncompressed bytes of one member. */
export function readZipMember(buf: Buffer, m: ZipMember, file = '<buffer>'): Buffer {
  const lh = m.localHeaderOffset;
  if (lh + 30 > buf.length || buf.readUInt32LE(lh) !== 0x04034b50) throw new Error(`${file}: corrupt local header for ${m.name}`);
  const start = lh + 30 + buf.readUInt16LE(lh + 26) + buf.readUInt16LE(lh + 28);
  if (start + m.compressedSize > buf.length) throw new Error(`${file}: truncated member ${m.name}`);
  const raw = buf.subarray(start, start + m.compressedSize);
  let out: Buffer;
  if (m.method === 0) out = raw;
  else if (m.method === 8) {
    try { out = inflateRawSync(raw); } catch (e) { throw new Error(`${file}: cannot inflate ${m.name}: ${(e as Error).message}`); }
  } else throw new Error(`${file}: member ${m.name} uses compression method ${m.method}; only stored (0) and deflate (8) are supported`);
  if (out.length !== m.size) throw new Error(`${file}: member ${m.name} is ${out.length} bytes, directory says ${m.size}`);
  return out;
}
