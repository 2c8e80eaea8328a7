// `visionlab serve` from the command line: it prints where it listens, warns when bound
// beyond this machine, serves the runs, and refuses a folder that does not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFixtureRun } from './fixture-runs.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

test('serve on a non-loopback host warns, prints its URL and serves the runs', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'visionlab-serve-'));
  writeFixtureRun(path.join(root, 'first'), { epochs: 2, finished: true });
  const child = spawn(process.execPath, [MAIN, 'serve', root, '--host', '0.0.0.0', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /visionlab dashboard: (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
    });
    assert.match(err, /warning: serving on 0\.0\.0\.0/);
    const port = new URL(url).port;
    const runs = (await (await fetch(`http://127.0.0.1:${port}/api/runs`)).json()) as { runs: { id: string }[] };
    assert.deepEqual(runs.runs.map((r) => r.id), ['first']);
  } finally {
    child.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  }
});

test('serve refuses a missing folder and a bad port with a clear message', () => {
  const missing = spawnSync(process.execPath, [MAIN, 'serve', '/nonexistent/runs', '--port', '0'], { encoding: 'utf8' });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /\/nonexistent\/runs is not a directory/);
  const badPort = spawnSync(process.execPath, [MAIN, 'serve', '--port', 'http'], { encoding: 'utf8' });
  assert.equal(badPort.status, 2);
  assert.match(badPort.stderr, /--port must be a positive integer/);
});
