// A small tar reader (ustar, with GNU long names and pax path headers), enough to unpack
// the published dataset archives without shelling out to `tar`.
import { promises as fsp, createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import path from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { isGzip } from './gzip.js';

export interface TarEntry { name: string; type: 'file' | 'directory' | 'other'; size: number; data: Buffer }

function parseOctal(field: Buffer): number {
  // Sizes past 8 GiB use GNU base-256: high bit set, big-endian binary.
  if (field[0]! & 0x80) {
    let v = 0;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i]!;
    return v;
  }
  const s = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return s ? parseInt(s, 8) : 0;
}

function cString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.toString('utf8', 0, end < 0 ? field.length : end);
}

function paxPath(data: Buffer): string | undefined {
  // Records are "<len> key=value\n".
  let at = 0;
  let found: string | undefined;
  while (at < data.length) {
    const sp = data.indexOf(0x20, at);
    if (sp < 0) break;
    const len = parseInt(data.toString('latin1', at, sp), 10);
    if (!(len > 0)) break;
    const rec = data.toString('utf8', sp + 1, at + len - 1);
    const eq = rec.indexOf('=');
    if (rec.slice(0, eq) === 'path') found = rec.slice(eq + 1);
    at += len;
  }
  return found;
}

/** Parses a whole (already gunzipped) tar archive. `file` names the source in errors. */
export function* readTar(buf: Buffer, file = '<buffer>'): Generator<TarEntry> {
  let at = 0;
  let longName: string | undefined;
  while (at + 512 <= buf.length) {
    const h = buf.subarray(at, at + 512);
    if (h.every((b) => b === 0)) return; // end-of-archive marker
    const stored = parseOctal(h.subarray(148, 156));
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (sum !== stored) throw new Error(`${file}: corrupt tar header at byte ${at} (checksum ${sum} != ${stored})`);
    const size = parseOctal(h.subarray(124, 136));
    const flag = String.fromCharCode(h[156]!);
    const dataStart = at + 512;
    if (dataStart + size > buf.length) throw new Error(`${file}: truncated tar archive (entry at byte ${at} needs ${size} bytes)`);
    const data = buf.subarray(dataStart, dataStart + size);
    at = dataStart + Math.ceil(size / 512) * 512;
    if (flag === 'L') { longName = cString(data); continue; }
    if (flag === 'x') { longName = paxPath(data) ?? longName; continue; }
    if (flag === 'g') continue;
    const prefix = h.subarray(257, 263).toString('latin1').startsWith('ustar') ? cString(h.subarray(345, 500)) : '';
    const base = cString(h.subarray(0, 100));
    const name = longName ?? (prefix ? `${prefix}/${base}` : base);
    longName = undefined;
    const type = flag === '0' || flag === '\0' || flag === '7' ? 'file' : flag === '5' ? 'directory' : 'other';
    yield { name, type, size, data };
  }
}

async function gunzipFile(archive: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const head = Buffer.alloc(2);
  const fh = await fsp.open(archive, 'r');
  try { await fh.read(head, 0, 2, 0); } finally { await fh.close(); }
  const stream = isGzip(head) ? createReadStream(archive).pipe(createGunzip()) : createReadStream(archive);
  try {
    for await (const c of stream) chunks.push(c as Buffer);
  } catch (e) {
    throw new Error(`${archive}: cannot decompress (${(e as Error).message})`, { cause: e });
  }
  return Buffer.concat(chunks);
}

/**
 * Unpacks a .tar or .tar.gz into destDir; regular files and directories only. Entries
 * that would land outside destDir (absolute paths, '..') are refused. Returns the paths written.
 */
export async function extractTar(archive: string, destDir: string): Promise<string[]> {
  const buf = await gunzipFile(archive);
  const root = path.resolve(destDir);
  const written: string[] = [];
  for (const e of readTar(buf, archive)) {
    const target = path.resolve(root, e.name);
    if (target !== root && !target.startsWith(root + path.sep)) throw new Error(`${archive}: entry '${e.name}' points outside ${destDir}`);
    if (e.type === 'directory') await fsp.mkdir(target, { recursive: true });
    else if (e.type === 'file') {
      // No fsync per member: an archive may hold thousands of files, and re-extracting recovers a crash.
      await writeFileAtomic(target, e.data, { createParentDir: true, fsync: false });
      written.push(target);
    }
  }
  return written;
}
