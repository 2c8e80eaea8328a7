// visionlab label-issues through the command line: a config with synthetic label noise and
// a run directory's config, the files it writes, and mistakes in its arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSyntheticNpy, CLASS_NAMES } from './synthetic-data.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, VISIONLAB_QUIET: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function config(dataDir: string) {
  return {
    name: 'noisy-tiny', seed: 2, dataset: { kind: 'npy', root: dataDir, classNames: CLASS_NAMES },
    labelNoise: { kind: 'symmetric', rate: 0.25 }, transforms: { normalize: 'auto' },
    model: { name: 'mlp', hidden: 32 }, optimizer: { name: 'adam', lr: 0.003 }, epochs: 3, batchSize: 32,
  };
}

test('label-issues on a config writes the CSV, the noise matrix and the image grid, and scores the issues', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'visionlab-label-issues-'));
  try {
    const dataDir = path.join(tmp, 'data');
    writeSyntheticNpy(dataDir, 240, 30);
    const file = path.join(tmp, 'noisy.json');
    writeFileSync(file, JSON.stringify(config(dataDir)));
    const out = path.join(tmp, 'out');
    const r = cli('label-issues', file, '--folds', '3', '--out', out, '--top', '8');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const issues = Number(/label issues: (\d+) of 240 training labels/.exec(r.stdout)?.[1]);
    assert.ok(issues > 0, r.stdout);
    const pr = /precision (\d\.\d+), recall (\d\.\d+)/.exec(r.stdout);
    assert.ok(pr && Number(pr[1]) > 0.7, `precision of the issues: ${r.stdout}`);
    assert.match(r.stdout, /estimated noise matrix P\(given label \| true label\), rows true classes:\n\s+horizontal\s+vertical\s+square\nhorizontal\s+0\.\d{3}/);
    assert.match(r.stdout, /true noise matrix/);

    const csv = readFileSync(path.join(out, 'label-issues.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'index,given,given_name,suggested,suggested_name,confidence');
    assert.equal(csv.length - 1, issues);
    let last = -Infinity;
    for (const row of csv.slice(1)) {
      const [index, given, givenName, suggested, suggestedName, confidence] = row.split(',');
      assert.ok(Number(index) >= 0 && Number(index) < 240, row);
      assert.equal(givenName, CLASS_NAMES[Number(given)]);
      assert.equal(suggestedName, CLASS_NAMES[Number(suggested)]);
      assert.notEqual(given, suggested);
      assert.ok(Number(confidence) >= last, 'least self-confident first');
      last = Number(confidence);
    }
    const json = JSON.parse(readFileSync(path.join(out, 'noise-matrix.json'), 'utf8')) as { estimated: number[][]; true: number[][]; classNames: string[] };
    assert.deepEqual(json.classNames, CLASS_NAMES);
    for (const row of json.estimated) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4, `row sums to 1: ${row}`);
    assert.ok(json.true[0]![0]! > 0.6);
    const png = readFileSync(path.join(out, 'label-issues.png'));
    assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);

    // A run directory: its config.json is used, and the files go next to it by default.
    const run = path.join(tmp, 'runs', 'noisy-tiny-1');
    mkdirSync(run, { recursive: true });
    writeFileSync(path.join(run, 'config.json'), JSON.stringify(config(dataDir)));
    const fromRun = cli('label-issues', run, '--folds', '2', '--fold-epochs', '1', '--top', '4');
    assert.equal(fromRun.code, 0, fromRun.stderr + fromRun.stdout);
    assert.match(fromRun.stdout, /using the config of run .*noisy-tiny-1 \(config\.json\)/);
    assert.match(fromRun.stdout, /2-fold cross-validation over 240 training samples, 1 epoch per fold/);
    assert.ok(existsSync(path.join(run, 'label-issues', 'label-issues.csv')));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('label-issues argument mistakes exit with code 2 and say what is wrong', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'visionlab-label-issues-args-'));
  try {
    const file = path.join(tmp, 'c.json');
    writeFileSync(file, JSON.stringify(config(path.join(tmp, 'data'))));
    const oneFold = cli('label-issues', file, '--folds', '1');
    assert.equal(oneFold.code, 2);
    assert.match(oneFold.stderr, /--folds must be at least 2/);
    const notNumber = cli('label-issues', file, '--top', 'many');
    assert.equal(notNumber.code, 2);
    assert.match(notNumber.stderr, /--top must be a positive integer, got 'many'/);
    const none = cli('label-issues');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /expected one CONFIG file or RUN directory, got 0 arguments/);
    const missing = cli('label-issues', path.join(tmp, 'nope.yaml'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.yaml: no such config file/);
    const unknown = cli('label-issues', file, '--bogus');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /label-issues: Unknown option '--bogus'/);
    const help = cli('label-issues', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /visionlab label-issues CONFIG\|RUN \[--folds N\] \[--fold-epochs N\] \[--out DIR\] \[--top N\]/);
    assert.match(cli('--help').stdout, /label-issues\s+find training labels that look wrong/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
