// `visionlab serve`: a read-only web server over the run directories below one folder,
// on node:http. Only GET and HEAD are answered; every path is checked by safe-path.ts,
// and anything that cannot be served (outside the folder, hidden, missing) is a plain
// 404 that tells nothing about what exists. The page itself is the front-end bundle
// built from web/ into assets/ next to this file.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeRun, comparisonTable, type RunSummary } from '../experiment/index.js';
import { safeSegments, resolveInside } from './safe-path.js';
import { describeRun, listRuns, readEpochs, readJsonFile, CONFUSION_FILE } from './run-index.js';
import { parseJsonLines } from './json-lines.js';
import { streamRun, streamRunList } from './live-events.js';

export const ASSETS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.jsonl': 'text/plain; charset=utf-8', '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8', '.md': 'text/plain; charset=utf-8', '.yaml': 'text/plain; charset=utf-8',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.svg': 'image/svg+xml',
};
const FIGURE = /\.(png|jpe?g|gif|webp|svg)$/i;
/** Figures the run page already draws live; listing them again would repeat them. */
const DRAWN_LIVE = new Set(['thumbnails.png']);

export interface DashboardOptions {
  /** The folder whose run directories are served. */
  root: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface Dashboard {
  server: Server;
  url: string;
  close(): Promise<void>;
}

const SHELL = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>visionlab</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css"></head>
<body><header><a href="#/">visionlab</a><nav><a href="#/">runs</a></nav><span id="root"></span></header>
<main id="app">loading…</main><script type="module" src="/assets/app.js"></script></body></html>
`;

function sendJson(res: ServerResponse, value: unknown, status = 200): void {
  const body = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

function notFound(res: ServerResponse): void {
  sendJson(res, { error: 'not found' }, 404);
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string): void {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) return notFound(res);
    size = st.size;
  } catch {
    return notFound(res);
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': size, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') return void res.end();
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** Image files of a run (in it and its subfolders, checkpoints aside), relative to it. */
function runFigures(dir: string, rel = '', depth = 0): string[] {
  let names: string[];
  try {
    names = readdirSync(path.join(dir, rel)).filter((n) => !n.startsWith('.')).sort();
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    const relPath = rel ? `${rel}/${n}` : n;
    try {
      const st = statSync(path.join(dir, relPath));
      if (st.isDirectory() && depth < 2 && n !== 'checkpoints') out.push(...runFigures(dir, relPath, depth + 1));
      else if (st.isFile() && FIGURE.test(n) && !DRAWN_LIVE.has(relPath)) out.push(relPath);
    } catch {
      // vanished
    }
  }
  return out;
}

function runDirOf(root: string, id: string | null): string | null {
  if (!id) return null;
  const segments = safeSegments(id);
  return segments && segments.length > 0 ? resolveInside(root, segments) : null;
}

function runDetails(root: string, id: string, dir: string): unknown {
  const entry = describeRun(root, id);
  if (!entry) return null;
  return {
    run: entry,
    info: readJsonFile(path.join(dir, 'run.json')) ?? null,
    config: readJsonFile(path.join(dir, 'config.json')) ?? null,
    testMetrics: readJsonFile(path.join(dir, 'metrics.json')) ?? null,
    hasSamples: existsSync(path.join(dir, 'samples.json')),
    figures: runFigures(dir),
  };
}

function comparison(root: string, ids: string[]): unknown {
  const runs = [];
  const summaries: RunSummary[] = [];
  for (const id of ids) {
    const dir = runDirOf(root, id);
    const entry = dir ? describeRun(root, id) : null;
    if (!dir || !entry) continue;
    runs.push({ ...entry, epochsData: readEpochs(dir) });
    try {
      summaries.push(summarizeRun(dir));
    } catch {
      // not finished: no row in the comparison table
    }
  }
  return { runs, table: summaries.length ? comparisonTable(summaries) : [] };
}

function handle(root: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' });
    return void res.end();
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const p = url.pathname;
  const run = url.searchParams.get('run');
  if (p === '/' || p === '/index.html') {
    res.writeHead(200, { 'content-type': CONTENT_TYPES['.html']!, 'cache-control': 'no-cache' });
    return void res.end(req.method === 'HEAD' ? undefined : SHELL);
  }
  if (p === '/assets/app.js' || p === '/assets/app.css') {
    const file = path.join(ASSETS_DIR, path.basename(p));
    if (!existsSync(file)) return sendJson(res, { error: `dashboard assets missing in ${ASSETS_DIR}: run 'npm run build'` }, 500);
    return sendFile(req, res, file);
  }
  if (p === '/api/runs') return sendJson(res, { root: path.resolve(root), runs: listRuns(root) });
  if (p === '/api/events') {
    if (run === null) return streamRunList(res, root);
    const dir = runDirOf(root, run);
    return dir ? streamRun(res, dir, () => describeRun(root, run)) : notFound(res);
  }
  if (p === '/api/run' || p === '/api/metrics' || p === '/api/confusion') {
    const dir = runDirOf(root, run);
    if (!dir || !run) return notFound(res);
    if (p === '/api/metrics') return sendJson(res, readEpochs(dir));
    if (p === '/api/confusion') {
      let text = '';
      try {
        text = readFileSync(path.join(dir, CONFUSION_FILE), 'utf8');
      } catch {
        // none yet
      }
      return sendJson(res, parseJsonLines(text));
    }
    const details = runDetails(root, run, dir);
    return details ? sendJson(res, details) : notFound(res);
  }
  if (p === '/api/compare') return sendJson(res, comparison(root, url.searchParams.getAll('run')));
  if (p.startsWith('/files/')) {
    // The raw path, not URL's normalised one: '/files/a/../../x' must not become '/x'.
    const raw = (req.url ?? '').split('?')[0]!.slice('/files/'.length);
    const segments = safeSegments(raw);
    const file = segments && segments.length > 0 ? resolveInside(root, segments) : null;
    return file ? sendFile(req, res, file) : notFound(res);
  }
  return notFound(res);
}

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host);
}

/** Starts the server; resolves once it listens. */
export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const root = path.resolve(opts.root);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`serve: ${root} is not a directory`);
  const host = opts.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    try {
      handle(root, req, res);
    } catch (e) {
      // A run changing under a request must not take the server down.
      if (!res.headersSent) sendJson(res, { error: (e as Error).message }, 500);
      else res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 6006, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    server, url: `http://${shown}:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
