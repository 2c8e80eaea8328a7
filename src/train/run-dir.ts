// Run directories: runs/<name>-<YYYYMMDD-HHMMSS>/ holding a run's configuration,
// per-epoch metrics, checkpoints, figures and report, so a run can be moved, compared
// and resumed as one folder.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../io/atomic-write.js';
import { History, type EpochLogs } from './history.js';

export interface RunDir {
  /** Absolute path of the directory. */
  readonly path: string;
  readonly name: string;
  readonly configPath: string;
  readonly metricsJsonl: string;
  readonly metricsCsv: string;
  readonly checkpointsDir: string;
  /** Same as checkpointsDir. */
  readonly checkpoints: string;
  readonly reportHtml: string;
  readonly metricsJson: string;
  /** A path inside the run directory. */
  file(...parts: string[]): string;
  /** Writes config.json atomically. */
  writeConfig(config: unknown): void;
  /** config.json, or undefined when the run has none. */
  readConfig(): unknown;
  /** The history recorded in metrics.jsonl (empty when there is none yet). */
  readHistory(): History;
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function runDirAt(dir: string): RunDir {
  const abs = path.resolve(dir);
  const file = (...parts: string[]) => path.join(abs, ...parts);
  return {
    path: abs,
    name: path.basename(abs),
    configPath: file('config.json'),
    metricsJsonl: file('metrics.jsonl'),
    metricsCsv: file('metrics.csv'),
    checkpointsDir: file('checkpoints'),
    checkpoints: file('checkpoints'),
    reportHtml: file('report.html'),
    metricsJson: file('metrics.json'),
    file,
    writeConfig(config: unknown) {
      writeFileAtomicSync(file('config.json'), `${JSON.stringify(config, null, 2)}\n`);
    },
    readConfig() {
      const f = file('config.json');
      if (!existsSync(f)) return undefined;
      try {
        return JSON.parse(readFileSync(f, 'utf8'));
      } catch (e) {
        throw new Error(`openRunDir: ${f} is not valid JSON: ${(e as Error).message}`, { cause: e });
      }
    },
    readHistory() {
      return readHistoryJsonl(file('metrics.jsonl'));
    },
  };
}

/** Parses metrics.jsonl (one EpochLogs per line); a torn last line (a crash mid-write) is skipped. */
export function readHistoryJsonl(file: string): History {
  if (!existsSync(file)) return new History();
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const epochs: EpochLogs[] = [];
  lines.forEach((line, i) => {
    try {
      const row = JSON.parse(line, (_k, v: unknown) => (v === null ? NaN : v)) as EpochLogs;
      epochs.push(row);
    } catch (e) {
      if (i < lines.length - 1) throw new Error(`${file}: line ${i + 1} is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
  });
  return new History(epochs);
}

/** Creates root/<name>-<YYYYMMDD-HHMMSS> (with -2, -3, ... when that exists already). */
export function createRunDir(root = 'runs', name = 'run'): RunDir {
  if (typeof name !== 'string' || name === '' || /[/\\]/.test(name) || name.startsWith('.')) {
    throw new RangeError(`createRunDir: name must be a plain file name, got '${String(name)}'`);
  }
  mkdirSync(root, { recursive: true });
  const base = `${name}-${stamp(new Date())}`;
  for (let i = 1; ; i++) {
    const dir = path.join(root, i === 1 ? base : `${base}-${i}`);
    try {
      mkdirSync(dir); // not recursive: fails if it exists, so two runs never share a folder
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    mkdirSync(path.join(dir, 'checkpoints'));
    return runDirAt(dir);
  }
}

/** Opens an existing run directory. */
export function openRunDir(dir: string): RunDir & { config: unknown; history: History } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`openRunDir: ${dir} is not a directory`);
  const run = runDirAt(dir);
  return Object.assign(run, { config: run.readConfig(), history: run.readHistory() });
}
