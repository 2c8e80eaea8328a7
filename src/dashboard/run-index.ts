// The runs below the served folder, as the dashboard lists them: what each run trained,
// how far it got and how well, read from the files the trainer leaves (config.json,
// metrics.jsonl, run.json) without assuming any of them exists yet.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { resolveMode } from '../train/index.js';
import { RUN_INFO_FILE, CONFIG_FILE, type RunInfo } from '../experiment/index.js';
import { parseJsonLines } from './json-lines.js';
import { resolveInside } from './safe-path.js';

export const METRICS_FILE = 'metrics.jsonl';
export const CONFUSION_FILE = 'confusion.jsonl';
/** Folders are searched this deep for runs (runs/<study>/<run> is two levels). */
const MAX_DEPTH = 4;
/** A run without run.json counts as running while it wrote something this recently. */
const MIN_STALE_SECONDS = 300;

export type RunStatus = 'running' | 'finished' | 'failed';
export type EpochRow = Record<string, number | null>;

export interface RunEntry {
  /** Path below the served folder with '/' separators: the run's identity in URLs. */
  id: string;
  name: string;
  model: string;
  data: string;
  task: string;
  /** The metric runs are ranked by (the task's primary metric). */
  metric: string;
  status: RunStatus;
  epochs: number;
  /** Best and last value of the metric, on validation data when the run has it. */
  best: number | null;
  final: number | null;
  test: number | null;
  secondsPerEpoch: number | null;
  startedAt: string | null;
  /** Last change to the run's files (ISO time). */
  updatedAt: string;
  /** The config flattened to dotted keys with scalar values (for comparisons). */
  config: Record<string, string | number | boolean | null>;
}

export function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // missing, half-written or not JSON: the run shows without it
  }
}

function isRunDir(dir: string): boolean {
  return [METRICS_FILE, RUN_INFO_FILE, CONFIG_FILE].some((f) => existsSync(path.join(dir, f)));
}

/** The ids of every run directory below root. */
export function findRuns(root: string): string[] {
  const found: string[] = [];
  const walk = (segments: string[]) => {
    const dir = resolveInside(root, segments);
    if (!dir) return;
    if (segments.length > 0 && isRunDir(dir)) return void found.push(segments.join('/'));
    if (segments.length >= MAX_DEPTH) return;
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
    } catch {
      return;
    }
    for (const name of names) {
      try {
        if (statSync(path.join(dir, name)).isDirectory()) walk([...segments, name]);
      } catch {
        // vanished while listing
      }
    }
  };
  walk([]);
  return found;
}

export function readEpochs(dir: string): EpochRow[] {
  try {
    return parseJsonLines<EpochRow>(readFileSync(path.join(dir, METRICS_FILE), 'utf8'));
  } catch {
    return [];
  }
}

/** {a: {b: 1}, c: [1, 2]} → {'a.b': 1, c: '[1,2]'}. */
export function flattenConfig(value: unknown, prefix = '', out: RunEntry['config'] = {}): RunEntry['config'] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = Array.isArray(value) ? JSON.stringify(value) : (value as string | number | boolean | null) ?? null;
  }
  return out;
}

/** Modification times and sizes of the files a run's row is read from: equal signatures, equal rows. */
function signature(dir: string): { key: string; updated: number } {
  let latest = 0;
  const parts: string[] = [];
  for (const f of [METRICS_FILE, RUN_INFO_FILE, CONFIG_FILE, CONFUSION_FILE, 'checkpoints']) {
    try {
      const st = statSync(path.join(dir, f));
      latest = Math.max(latest, st.mtimeMs);
      parts.push(`${st.mtimeMs}:${st.size}`);
    } catch {
      parts.push('-');
    }
  }
  return { key: parts.join('|'), updated: latest || statSync(dir).mtimeMs };
}

function finiteValues(rows: EpochRow[], key: string): number[] {
  return rows.map((r) => r[key]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
}

type RowWithoutStatus = Omit<RunEntry, 'status' | 'id'> & { finished: boolean };

/** Rows by run folder, read again only when its files change: the runs list is refreshed often. */
const rowCache = new Map<string, { key: string; row: RowWithoutStatus }>();

function readRow(dir: string, updated: number): RowWithoutStatus {
  const info = readJsonFile(path.join(dir, RUN_INFO_FILE)) as Partial<RunInfo> | undefined;
  const config = readJsonFile(path.join(dir, CONFIG_FILE)) as Record<string, unknown> | undefined;
  const epochs = readEpochs(dir);
  const metric = info?.task?.primaryMetric ?? 'accuracy';
  const monitored = epochs.some((e) => typeof e[`val_${metric}`] === 'number') ? `val_${metric}` : metric;
  const values = finiteValues(epochs, monitored);
  const times = finiteValues(epochs, 'time_s');
  const model = info?.model ?? (config?.model as { name?: string } | undefined)?.name ?? '';
  const dataset = config?.dataset as { kind?: string; root?: string } | undefined;
  const data = dataset ? [dataset.kind, dataset.root ? path.basename(dataset.root) : undefined].filter(Boolean).join(' ') : '';
  const lowerIsBetter = resolveMode(monitored) === 'min';
  const pick = (xs: number[]) => xs.reduce((a, b) => (lowerIsBetter ? Math.min(a, b) : Math.max(a, b)));
  const test = info?.test?.[metric];
  return {
    name: path.basename(dir), model, data, finished: info?.test !== undefined,
    task: info?.task?.name ?? (typeof config?.task === 'string' ? config.task : 'classification'),
    metric: monitored, epochs: epochs.length,
    best: values.length ? pick(values) : null,
    final: values.length ? values[values.length - 1]! : null,
    test: typeof test === 'number' && Number.isFinite(test) ? test : null,
    secondsPerEpoch: times.length ? times.reduce((a, b) => a + b, 0) / times.length : null,
    startedAt: info?.startedAt ?? null,
    updatedAt: new Date(updated).toISOString(),
    config: flattenConfig(config ?? {}),
  };
}

/** The run's row in the runs table; null when the directory is gone. */
export function describeRun(root: string, id: string, now = Date.now()): RunEntry | null {
  const dir = resolveInside(root, id.split('/'));
  if (!dir || !isRunDir(dir)) return null;
  let sig: { key: string; updated: number };
  try {
    sig = signature(dir);
  } catch {
    return null;
  }
  let cached = rowCache.get(dir);
  if (cached?.key !== sig.key) {
    cached = { key: sig.key, row: readRow(dir, sig.updated) };
    rowCache.set(dir, cached);
  }
  const { finished, ...row } = cached.row;
  // A run is stale when it has been silent for much longer than an epoch takes.
  const staleAfter = Math.max(MIN_STALE_SECONDS, 3 * (row.secondsPerEpoch ?? 0)) * 1000;
  const status: RunStatus = finished ? 'finished' : now - sig.updated < staleAfter ? 'running' : 'failed';
  return { id, ...row, status };
}

export function listRuns(root: string): RunEntry[] {
  const runs = findRuns(root).map((id) => describeRun(root, id)).filter((r): r is RunEntry => r !== null);
  const present = new Set(runs.map((r) => resolveInside(root, r.id.split('/'))));
  for (const dir of rowCache.keys()) if (!present.has(dir)) rowCache.delete(dir);
  return runs;
}
