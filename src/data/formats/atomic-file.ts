// Atomic file writes: readers (a concurrent run, a crashed process's successor) see either
// the old file or the complete new one, never a half-written file.
import { promises as fsp, writeFileSync, renameSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** A temporary name in dest's own directory, so the final rename never crosses file systems. */
export function tempPathFor(dest: string): string {
  return path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export async function writeFileAtomic(dest: string, data: Uint8Array | string): Promise<void> {
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  const tmp = tempPathFor(dest);
  try {
    await fsp.writeFile(tmp, data);
    await fsp.rename(tmp, dest);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

export function writeFileAtomicSync(dest: string, data: Uint8Array | string): void {
  const tmp = tempPathFor(dest);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, dest);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
}
