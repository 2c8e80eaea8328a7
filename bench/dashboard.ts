// Dashboard benchmark: how long the server takes to list many runs, and how long a new
// epoch takes from the trainer's append to metrics.jsonl to (1) the server-sent event and
// (2) the point drawn in Chromium's page (when /usr/bin/chromium exists).
//
// Usage: npm run bench:dashboard [-- --runs 200 --epochs 50 --appends 20]
import { parseArgs } from 'node:util';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDashboard } from '../src/dashboard/index.js';
import { writeFixtureRun, appendEpoch } from '../test/dashboard/fixture-runs.js';

const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '200' }, epochs: { type: 'string', default: '50' }, appends: { type: 'string', default: '20' } },
});
const numRuns = Number(args.runs);
const epochs = Number(args.epochs);
const appends = Number(args.appends);
const CHROMIUM = '/usr/bin/chromium';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const tmp = mkdtempSync(path.join(tmpdir(), 'visionlab-bench-dash-'));
const root = path.join(tmp, 'runs');
for (let i = 0; i < numRuns; i++) writeFixtureRun(path.join(root, `run-${String(i).padStart(4, '0')}`), { epochs, finished: i > 0 });
const live = path.join(root, 'run-0000');
const dash = await startDashboard({ root, port: 0 });
const url = new URL(dash.url);

try {
  const listing: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const res = await fetch(`${dash.url}api/runs`);
    const body = (await res.json()) as { runs: unknown[] };
    if (body.runs.length !== numRuns) throw new Error(`listed ${body.runs.length} runs, expected ${numRuns}`);
    listing.push(performance.now() - t0);
  }
  console.log(`runs listing ms (${numRuns} runs of ${epochs} epochs): ${median(listing).toFixed(1)}`);

  // Server-sent event latency: append, then wait for the event carrying that epoch.
  const sse: number[] = [];
  await new Promise<void>((resolve, reject) => {
    let epoch = epochs;
    let appendedAt = 0;
    const req = request({ host: url.hostname, port: url.port, path: '/api/events?run=run-0000' }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (!appendedAt || !chunk.includes(`"epoch":${epoch}`)) return;
        sse.push(performance.now() - appendedAt);
        if (sse.length === appends) {
          req.destroy();
          return resolve();
        }
        epoch++;
        setTimeout(() => { appendedAt = performance.now(); appendEpoch(live, epoch); }, 50);
      });
    });
    req.on('error', (e) => (sse.length === appends ? resolve() : reject(e)));
    req.end();
    setTimeout(() => { appendedAt = performance.now(); appendEpoch(live, epoch); }, 300);
  });
  console.log(`live update latency ms (append to server-sent event, median of ${appends}): ${median(sse).toFixed(1)}`);

  if (existsSync(CHROMIUM)) {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const page = await browser.newPage();
    await page.goto(`${dash.url}#/run/run-0000`);
    await page.waitForSelector('[data-chart=curves] svg');
    const count = () => page.locator('[data-chart=curves] g.mark-symbol.role-mark path').count();
    const drawn: number[] = [];
    for (let i = 0; i < Math.min(appends, 10); i++) {
      const before = await count();
      const t0 = performance.now();
      appendEpoch(live, epochs + appends + i + 1);
      while ((await count()) === before) await sleep(10);
      drawn.push(performance.now() - t0);
    }
    await browser.close();
    console.log(`live update latency ms (append to point drawn in Chromium, median of ${drawn.length}): ${median(drawn).toFixed(1)}`);
  } else {
    console.log(`(no ${CHROMIUM}: the in-browser latency is not measured)`);
  }
} finally {
  await dash.close();
  rmSync(tmp, { recursive: true, force: true });
}
