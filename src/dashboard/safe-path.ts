// Mapping a request path onto a file below the served folder. Every way out is refused:
// `..` segments in any spelling (percent-encoded, double-encoded, backslashes), absolute
// paths, NUL bytes, hidden names, and symbolic links whose target lies outside the folder
// (checked on the real path, after the links are followed).
import { realpathSync } from 'node:fs';
import path from 'node:path';

/** Decodes a URL path once and splits it into segments; null when it cannot be served. */
export function safeSegments(urlPath: string): string[] | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null; // malformed percent-encoding
  }
  // A '%' left after one decoding is a double-encoded name: nothing here is named so.
  if (decoded.includes('\0') || decoded.includes('%') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..' || s.startsWith('.'))) return null;
  return segments;
}

/** The real path of `root/segments` when it exists and lies inside root's real path; otherwise null. */
export function resolveInside(root: string, segments: readonly string[]): string | null {
  let realRoot: string;
  let real: string;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(path.join(realRoot, ...segments));
  } catch {
    return null; // missing, or a dangling link
  }
  const rel = path.relative(realRoot, real);
  if (rel === '') return real;
  if (rel.split(path.sep)[0] === '..' || path.isAbsolute(rel)) return null;
  return real;
}
