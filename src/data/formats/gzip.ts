// Transparent gunzip: dataset files come both gzipped (as published) and raw (as unpacked by users).
import { gunzipSync } from 'node:zlib';

export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** The bytes, gunzipped when they start with the gzip magic. `file` names the source in errors. */
export function maybeGunzip(buf: Buffer, file: string): Buffer {
  if (!isGzip(buf)) return buf;
  try {
    return gunzipSync(buf);
  } catch (e) {
    throw new Error(`${file}: gzip data is corrupt or truncated (${(e as Error).message})`, { cause: e });
  }
}
