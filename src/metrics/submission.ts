// The scenes study's submission format: a CSV `id,rle` with two rows per test image,
// `<image>_labels` (the image-level label vector) and `<image>_mask` (the foreground
// mask, pixels of any object class), each run-length encoded as the study's _rle_encode
// does: the array flattened row-major (NumPy's order), 1-based "start length" pairs of
// its runs of ones, joined by spaces (an empty field when nothing is on).
import { rleEncode, rleDecode } from './rle.js';

export interface SubmissionEntry {
  /** The image's name without extension. */
  id: string;
  /** 0/1 per label. */
  labels: ArrayLike<number>;
  /** Row-major height×width; any nonzero value is foreground. */
  mask: ArrayLike<number>;
  height: number;
  width: number;
}

export interface DecodedSubmission {
  labels: Uint8Array;
  mask: Uint8Array;
}

export const SUBMISSION_HEADER = 'id,rle';

function checkId(id: string): string {
  if (id === '' || /[,"\r\n]/.test(id)) throw new RangeError(`submission: image id '${id}' must be non-empty without commas, quotes or line breaks`);
  return id;
}

export function encodeSubmission(entries: readonly SubmissionEntry[]): string {
  const lines = [SUBMISSION_HEADER];
  for (const e of entries) {
    const id = checkId(e.id);
    lines.push(`${id}_labels,${rleEncode({ data: e.labels, height: 1, width: e.labels.length }, 'row')}`);
    lines.push(`${id}_mask,${rleEncode({ data: e.mask, height: e.height, width: e.width }, 'row')}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Reads a submission back: per image id its label vector (numLabels long) and its
 * height×width foreground mask. `source` names the file in errors.
 */
export function decodeSubmission(text: string, shape: { numLabels: number; height: number; width: number }, source = 'submission'): Map<string, DecodedSubmission> {
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  if (lines[0] !== SUBMISSION_HEADER) throw new Error(`${source}: expected the header '${SUBMISSION_HEADER}', got '${lines[0] ?? ''}'`);
  const out = new Map<string, Partial<DecodedSubmission>>();
  lines.slice(1).forEach((line, i) => {
    const comma = line.indexOf(',');
    const m = comma < 0 ? null : /^(.*)_(labels|mask)$/.exec(line.slice(0, comma));
    if (!m) throw new Error(`${source}: line ${i + 2} ('${line.slice(0, 40)}') is not '<id>_labels,<rle>' or '<id>_mask,<rle>'`);
    const [, id, kind] = m as unknown as [string, string, 'labels' | 'mask'];
    const rle = line.slice(comma + 1);
    const entry = out.get(id) ?? {};
    if (entry[kind]) throw new Error(`${source}: line ${i + 2}: a second ${kind} row for '${id}'`);
    try {
      entry[kind] = kind === 'labels' ? rleDecode(rle, 1, shape.numLabels, 'row') : rleDecode(rle, shape.height, shape.width, 'row');
    } catch (e) {
      throw new Error(`${source}: line ${i + 2} (${id} ${kind}): ${(e as Error).message}`, { cause: e });
    }
    out.set(id, entry);
  });
  const done = new Map<string, DecodedSubmission>();
  for (const [id, e] of out) {
    if (!e.labels || !e.mask) throw new Error(`${source}: '${id}' has a ${e.labels ? 'labels' : 'mask'} row but no ${e.labels ? 'mask' : 'labels'} row`);
    done.set(id, { labels: e.labels, mask: e.mask });
  }
  return done;
}
