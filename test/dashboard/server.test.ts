// The dashboard server without a browser: what it lists, what it refuses (every spelling
// of a way out of the served folder), how it reads files a trainer is still writing, and
// its live event stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDashboard, describeRun, isLoopback, JsonLinesTail, type Dashboard } from '../../src/dashboard/index.js';
import { writeFixtureRun, appendEpoch, epochRow } from './fixture-runs.js';

let tmp: string;
let root: string;
let dash: Dashboard;
const SECRET = 'top-secret-contents';

before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'visionlab-dash-'));
  root = path.join(tmp, 'runs');
  writeFixtureRun(path.join(root, 'done'), { epochs: 4, finished: true });
  writeFixtureRun(path.join(root, 'study', 'live'), { epochs: 2 });
  writeFileSync(path.join(tmp, 'secret.txt'), SECRET);
  mkdirSync(path.join(tmp, 'outside-run'));
  writeFileSync(path.join(tmp, 'outside-run', 'metrics.jsonl'), `${JSON.stringify(epochRow(0))}\n`);
  symlinkSync(path.join(tmp, 'secret.txt'), path.join(root, 'done', 'link-out.txt'));
  symlinkSync(path.join(tmp, 'outside-run'), path.join(root, 'linked-run'));
  symlinkSync(tmp, path.join(root, 'done', 'up'));
  dash = await startDashboard({ root, port: 0 });
});

after(async () => {
  await dash.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A raw GET (no client-side normalisation of '..'). */
function get(pathname: string, method = 'GET'): Promise<{ status: number; body: string }> {
  const url = new URL(dash.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: pathname, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('binds to loopback by default and lists the runs below the folder, nested ones too', async () => {
  assert.match(dash.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.ok(isLoopback('127.0.0.1') && isLoopback('::1') && !isLoopback('0.0.0.0'));
  const { status, body } = await get('/api/runs');
  assert.equal(status, 200);
  const runs = (JSON.parse(body) as { runs: { id: string; status: string; epochs: number; best: number; final: number }[] }).runs;
  assert.deepEqual(runs.map((r) => r.id).sort(), ['done', 'study/live']);
  const done = runs.find((r) => r.id === 'done')!;
  assert.equal(done.status, 'finished');
  assert.equal(done.epochs, 4);
  assert.ok(Math.abs(done.best - epochRow(3).val_accuracy!) < 1e-12);
  assert.equal(runs.find((r) => r.id === 'study/live')!.status, 'running');
});

test('a run silent for much longer than its epochs take counts as failed', () => {
  const later = Date.now() + 3600_000;
  assert.equal(describeRun(root, 'study/live', later)!.status, 'failed');
  assert.equal(describeRun(root, 'done', later)!.status, 'finished');
});

test('every way out of the folder is a 404 that reveals nothing', async () => {
  const attempts = [
    '/../../etc/passwd', '/files/../../etc/passwd', '/files/done/../../secret.txt', '/files/%2e%2e/secret.txt',
    '/files/%2E%2E%2Fsecret.txt', '/files/done/%2e%2e%2f%2e%2e%2fsecret.txt', '/files/%252e%252e/secret.txt',
    '/files/..%5csecret.txt', '/files/done/..\\..\\secret.txt', '/files/%c0%ae%c0%ae/secret.txt', '/files/done%00/run.json',
    '/files//etc/passwd', '/files/done/link-out.txt', '/files/done/up/secret.txt', '/files/linked-run/metrics.jsonl',
    '/api/run?run=..', '/api/run?run=linked-run', '/api/metrics?run=%2e%2e%2foutside-run', '/api/events?run=../outside-run',
    '/files/done/.hidden', '/files/', '/files/done',
  ];
  for (const a of attempts) {
    const r = await get(a);
    assert.equal(r.status, 404, `${a} answered ${r.status}`);
    assert.ok(!r.body.includes(SECRET) && !r.body.includes('root:'), `${a} leaked content`);
  }
  assert.equal((await get('/files/done/config.json')).status, 200);
  assert.equal((await get('/files/done/config.json', 'PUT')).status, 405);
  assert.equal((await get('/files/done/config.json', 'DELETE')).status, 405);
});

test('half-written and malformed metrics lines are skipped, and appear once complete', async () => {
  const file = path.join(root, 'study', 'live', 'metrics.jsonl');
  appendFileSync(file, 'not json at all\n');
  appendFileSync(file, '{"epoch":2,"loss":0.4,"accur');
  const rows = JSON.parse((await get('/api/metrics?run=study%2Flive')).body) as { epoch: number }[];
  assert.deepEqual(rows.map((r) => r.epoch), [0, 1]);
  assert.equal((await get('/api/runs')).status, 200);
  assert.equal((await get('/api/run?run=study/live')).status, 200);
  appendFileSync(file, 'acy":0.7}\n');
  const after = JSON.parse((await get('/api/metrics?run=study/live')).body) as { epoch: number }[];
  assert.deepEqual(after.map((r) => r.epoch), [0, 1, 2]);
});

test('a tail returns only whole new lines, and starts over when the file shrinks', () => {
  const file = path.join(tmp, 'tail.jsonl');
  writeFileSync(file, '{"a":1}\n{"a":2');
  const tail = new JsonLinesTail<{ a: number }>(file);
  assert.deepEqual(tail.read(), { rows: [{ a: 1 }], reset: false });
  assert.deepEqual(tail.read(), { rows: [], reset: false });
  appendFileSync(file, '}\n');
  assert.deepEqual(tail.read(), { rows: [{ a: 2 }], reset: false });
  writeFileSync(file, '{"a":9}\n');
  assert.deepEqual(tail.read(), { rows: [{ a: 9 }], reset: true });
});

test('the event stream sends the metrics, each new epoch as it is appended, and gone when the run is deleted', async () => {
  const dir = path.join(root, 'study', 'streamed');
  writeFixtureRun(dir, { epochs: 1 });
  const url = new URL(dash.url);
  const events: { event: string; data: { reset?: boolean; rows?: { epoch: number }[]; status?: string } }[] = [];
  let waiters: (() => void)[] = [];
  const req = request({ host: url.hostname, port: url.port, path: '/api/events?run=study/streamed' });
  const closed = new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      assert.match(String(res.headers['content-type']), /text\/event-stream/);
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
          for (const w of waiters) w();
          waiters = [];
        }
      });
      res.on('end', resolve);
    });
    req.on('error', reject);
  });
  req.end();
  const waitFor = async (pred: () => boolean, what: string) => {
    const deadline = Date.now() + 2000;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`no ${what} within 2 s; events: ${JSON.stringify(events)}`);
      await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 100); });
    }
  };
  await waitFor(() => events.some((e) => e.event === 'metrics'), 'initial metrics');
  const first = events.find((e) => e.event === 'metrics')!;
  assert.equal(first.data.reset, true);
  assert.deepEqual(first.data.rows!.map((r) => r.epoch), [0]);
  assert.equal(events.find((e) => e.event === 'run')?.data.status, 'running');
  appendEpoch(dir, 1);
  await waitFor(() => events.some((e) => e.event === 'metrics' && e.data.reset === false && e.data.rows!.some((r) => r.epoch === 1)), 'epoch 1');
  assert.ok(events.some((e) => e.event === 'confusion' && e.data.rows!.some((r) => r.epoch === 1)));
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ model: 'simple-cnn', test: { loss: 0.1, accuracy: 0.9 } }));
  await waitFor(() => events.some((e) => e.event === 'run' && e.data.status === 'finished'), 'the finished status');
  rmSync(dir, { recursive: true });
  await waitFor(() => events.some((e) => e.event === 'gone'), 'gone');
  await closed;
  assert.equal((await get('/api/run?run=study/streamed')).status, 404);
});
