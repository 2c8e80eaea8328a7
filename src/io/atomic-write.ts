// Atomic file writes: readers (a concurrent run, a crashed process's successor) see either
// the old file or the complete new one, never a half-written file, because the bytes go to
// a temporary file in the same directory (same filesystem) and are renamed into place.
import { promises as fsp, writeFileSync, renameSync, unlinkSync, openSync, fsyncSync, closeSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface AtomicWriteOptions {
  /** Create missing parent directories first; off by default, since a missing directory is usually a wrong path. */
  createParentDir?: boolean;
  /**
   * Flush the data to disk before the rename (default true), so a power loss cannot leave an
   * empty file under the final name. Bulk writers of easily recreated files may turn it off.
   */
  fsync?: boolean;
}

/** A temporary name in dest's own directory, so the final rename never crosses file systems. */
export function tempPathFor(dest: string): string {
  return path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function writeFailed(file: string, e: unknown): Error {
  const err = new Error(`could not write ${file}: ${(e as Error).message}`, { cause: e });
  // Keep the errno code, so callers can still branch on ENOENT, EACCES and the like.
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== undefined) (err as NodeJS.ErrnoException).code = code;
  return err;
}

export async function writeFileAtomic(file: string, data: Uint8Array | string, opts: AtomicWriteOptions = {}): Promise<void> {
  if (opts.createParentDir) await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  try {
    const handle = await fsp.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      if (opts.fsync ?? true) await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.unlink(tmp).catch(() => undefined);
    throw writeFailed(file, e);
  }
}

export function writeFileAtomicSync(file: string, data: Uint8Array | string, opts: AtomicWriteOptions = {}): void {
  if (opts.createParentDir) mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeFileSync(fd, data);
      if (opts.fsync ?? true) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* the temporary file may never have been created */ }
    throw writeFailed(file, e);
  }
}
