// Atomic file writes: readers never see a half-written checkpoint, because the bytes go
// to a temporary file in the same directory (same filesystem) and are renamed into place.
import { promises as fsp, writeFileSync, renameSync, unlinkSync, openSync, fsyncSync, closeSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

function tempPathFor(file: string): string {
  const dir = path.dirname(file);
  return path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export async function writeFileAtomic(file: string, data: Uint8Array): Promise<void> {
  const tmp = tempPathFor(file);
  try {
    const handle = await fsp.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.unlink(tmp).catch(() => undefined);
    throw new Error(`could not write ${file}: ${(e as Error).message}`, { cause: e });
  }
}

export function writeFileAtomicSync(file: string, data: Uint8Array): void {
  const tmp = tempPathFor(file);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* the temporary file may never have been created */ }
    throw new Error(`could not write ${file}: ${(e as Error).message}`, { cause: e });
  }
}
