// Just enough CSV for label files: comma-separated, optional header, optional double quotes.
import { readFileSync } from 'node:fs';

export interface CsvTable { header?: string[]; rows: string[][] }

function splitLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(cur.trim()); cur = ''; }
    else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/**
 * Reads a CSV file. The first row is a header when `hasHeader` is true, or, when
 * undefined, when its `numericColumn` cell is not a number (a label file's first row is
 * either "label" or a label).
 */
export function readCsv(file: string, opts: { hasHeader?: boolean; numericColumn?: number } = {}): CsvTable {
  const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim().length > 0);
  const rows = lines.map(splitLine);
  if (rows.length === 0) return { rows };
  const col = opts.numericColumn ?? rows[0]!.length - 1;
  const header = opts.hasHeader ?? !/^-?\d+(\.\d+)?$/.test(rows[0]![col] ?? '');
  return header ? { header: rows[0], rows: rows.slice(1) } : { rows };
}
