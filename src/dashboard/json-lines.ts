// Reading JSON Lines that another process may be writing: a line cut off mid-write, or
// garbage from a crash, is skipped rather than thrown, so a live view never breaks on a
// file it happens to read at the wrong moment.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Parses each complete, valid line of text; null in JSON (a NaN written out) reads as null. */
export function parseJsonLines<T>(text: string): T[] {
  const rows: T[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const row = JSON.parse(line) as unknown;
      if (row !== null && typeof row === 'object' && !Array.isArray(row)) rows.push(row as T);
    } catch {
      // torn or malformed: skipped
    }
  }
  return rows;
}

/**
 * Follows a growing file: each read() returns the lines completed since the last one.
 * A file that shrank (rewritten, e.g. by a resumed run) is read again from its start,
 * and `reset` tells the caller to drop what it had.
 */
export class JsonLinesTail<T> {
  private offset = 0;

  constructor(readonly file: string) {}

  read(): { rows: T[]; reset: boolean } {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return { rows: [], reset: false }; // not written yet, or gone
    }
    try {
      const size = fstatSync(fd).size;
      let reset = false;
      if (size < this.offset) {
        this.offset = 0;
        reset = true;
      }
      if (size === this.offset) return { rows: [], reset };
      const buf = Buffer.alloc(size - this.offset);
      const got = readSync(fd, buf, 0, buf.length, this.offset);
      const text = buf.subarray(0, got).toString('utf8');
      // Only whole lines are consumed; a partial last line is read again next time.
      const end = text.lastIndexOf('\n');
      if (end < 0) return { rows: [], reset };
      this.offset += Buffer.byteLength(text.slice(0, end + 1));
      return { rows: parseJsonLines<T>(text.slice(0, end + 1)), reset };
    } finally {
      closeSync(fd);
    }
  }
}
