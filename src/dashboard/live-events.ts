// Server-sent events: a run page receives its metrics and confusion matrices as the
// trainer appends them (the whole file first, then each new line), and `gone` when the
// run directory is deleted; the runs page receives the list again when a run appears,
// disappears or moves on. Changes arrive through fs.watch on the run folder, never by
// clients polling.
import type { ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { JsonLinesTail } from './json-lines.js';
import { watchDir } from './dir-watcher.js';
import { listRuns, METRICS_FILE, CONFUSION_FILE, type RunEntry } from './run-index.js';

const HEARTBEAT_MS = 15_000;
/** The runs list also changes without a folder event (a running run going stale). */
const LIST_REFRESH_MS = 5_000;

function openStream(res: ServerResponse): (event: string, data: unknown) => void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
  });
  res.write('retry: 1000\n\n');
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  res.on('close', () => clearInterval(heartbeat));
  return (event, data) => {
    if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
}

/**
 * Streams one run's metrics.jsonl and confusion.jsonl, and its row of the runs table
 * whenever its status changes (a run finishing); `dir` is its real path.
 */
export function streamRun(res: ServerResponse, dir: string, describe: () => RunEntry | null): void {
  const send = openStream(res);
  const metrics = new JsonLinesTail(path.join(dir, METRICS_FILE));
  const confusion = new JsonLinesTail(path.join(dir, CONFUSION_FILE));
  let first = true;
  let status = '';
  let unwatch = () => {};
  const update = () => {
    if (!existsSync(dir)) {
      send('gone', {});
      unwatch();
      res.end();
      return;
    }
    for (const [name, tail] of [['metrics', metrics], ['confusion', confusion]] as const) {
      const { rows, reset } = tail.read();
      if (rows.length > 0 || reset || first) send(name, { reset: reset || first, rows });
    }
    first = false;
    const run = describe();
    if (run && run.status !== status) {
      status = run.status;
      send('run', run);
    }
  };
  unwatch = watchDir(dir, update);
  res.on('close', () => unwatch());
  update();
}

/** Streams the runs list whenever it changes. */
export function streamRunList(res: ServerResponse, root: string): void {
  const send = openStream(res);
  let last = '';
  const update = () => {
    const runs: RunEntry[] = listRuns(root);
    // updatedAt moves on every write; the list is news only when something shown changes.
    const key = JSON.stringify(runs.map(({ updatedAt: _u, ...shown }) => shown));
    if (key === last) return;
    last = key;
    send('runs', runs);
  };
  const unwatchRoot = watchDir(root, update);
  const timer = setInterval(update, LIST_REFRESH_MS);
  res.on('close', () => {
    unwatchRoot();
    clearInterval(timer);
  });
  update();
}
