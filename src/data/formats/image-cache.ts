// On-disk cache of decoded image folders: a raw .bin of N×C×H×W bytes plus a .json index,
// keyed by everything that changes the decoded result (root, size, channels, and each
// file's path, size and mtime), so edits to the folder invalidate it by themselves.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.js';

export function defaultCacheDir(): string {
  return process.env.VISIONLAB_CACHE ?? path.join(os.homedir(), '.cache', 'visionlab');
}

/** Hash of the inputs that determine the decoded pixels. */
export function imageCacheKey(kind: string, root: string, files: string[], settings: unknown): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ kind, root: path.resolve(root), settings }));
  for (const f of files) {
    const st = statSync(f);
    h.update(`\n${path.relative(root, f)}\t${st.size}\t${st.mtimeMs}`);
  }
  return h.digest('hex').slice(0, 32);
}

export interface CachedImages<M> { pixels: Uint8Array; meta: M }

export function readImageCache<M>(dir: string, key: string): CachedImages<M> | undefined {
  const bin = path.join(dir, `${key}.bin`);
  const idx = path.join(dir, `${key}.json`);
  if (!existsSync(bin) || !existsSync(idx)) return undefined;
  try {
    const meta = JSON.parse(readFileSync(idx, 'utf8')) as M & { bytes: number };
    const pixels = readFileSync(bin);
    // A size mismatch means a stale or damaged entry: decode again rather than fail.
    if (pixels.length !== meta.bytes) return undefined;
    return { pixels, meta };
  } catch {
    return undefined;
  }
}

/** Writes the .bin first and the .json last, so a reader never sees an index without its data. */
export async function writeImageCache(dir: string, key: string, pixels: Uint8Array, meta: object): Promise<void> {
  await writeFileAtomic(path.join(dir, `${key}.bin`), pixels, { createParentDir: true });
  await writeFileAtomic(path.join(dir, `${key}.json`), JSON.stringify({ ...meta, bytes: pixels.length }), { createParentDir: true });
}
