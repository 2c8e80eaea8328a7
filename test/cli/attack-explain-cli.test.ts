// Adversarial training from a config, then `visionlab attack` and `visionlab explain` on
// the run, end to end through the command line on a tiny generated dataset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor } from '../../src/torch/index.js';
import { writeImage } from '../../src/data/index.js';
import { validateConfig } from '../../src/experiment/index.js';
import { writeSyntheticNpy, patternImage, CLASS_NAMES, SIZE } from './synthetic-data.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, VISIONLAB_QUIET: '1', VISIONLAB_NUM_THREADS: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const CONFIG = (dataDir: string) => `name: tiny-adversarial
seed: 1
dataset: { kind: npy, root: ${dataDir}, classNames: [${CLASS_NAMES.join(', ')}] }
split: { val: 0.1 }
transforms: { normalize: auto }
model: { name: fashion-cnn }
optimizer: { name: adam, lr: 0.003 }
epochs: 3
batchSize: 32
adversarial: { method: fgsm-rs, eps: 0.05, guard: { images: 30, checkEvery: 5 } }
`;

test('adversarial training from a config, then attack and explain through the CLI', async () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'visionlab-attack-'));
  try {
    const dataDir = path.join(tmp, 'data');
    writeSyntheticNpy(dataDir, 240, 60);
    writeFileSync(path.join(tmp, 'adv.yaml'), CONFIG(dataDir));
    const trained = cli('train', path.join(tmp, 'adv.yaml'), '--runs', path.join(tmp, 'runs'), '--quiet');
    assert.equal(trained.code, 0, trained.stderr);
    const runDir = trained.stdout.split('\n').find((l) => l.startsWith('run directory: '))!.slice('run directory: '.length);
    const accuracy = Number(/test accuracy: ([\d.]+)/.exec(trained.stdout)![1]);
    assert.ok(accuracy > 0.6, `adversarially trained accuracy ${accuracy} (chance is 0.33)`);

    const attacked = cli('attack', runDir, '--attack', 'pgd', '--eps', '0,0.05,0.3', '--steps', '5', '--limit', '30');
    assert.equal(attacked.code, 0, attacked.stderr);
    const dir = path.join(runDir, 'attack-pgd');
    for (const f of ['robustness.json', 'robustness-curve.png', 'per-class-robust-accuracy.png', 'adversarial-grid.png', 'report.html']) {
      assert.ok(existsSync(path.join(dir, f)), `${f} missing`);
    }
    const r = JSON.parse(readFileSync(path.join(dir, 'robustness.json'), 'utf8'));
    assert.equal(r.samples, 30);
    assert.deepEqual(r.points.map((p: { eps: number }) => p.eps), [0, 0.05, 0.3]);
    assert.equal(r.points[0].accuracy, r.cleanAccuracy, 'ε = 0 is the clean accuracy');
    assert.ok(r.points[2].accuracy < r.points[0].accuracy, 'a large budget lowers accuracy');
    assert.ok(r.points[1].meanLinf <= 0.05 + 1e-5 && r.points[2].meanLinf > 0.05);
    assert.equal(r.points[0].perClassAccuracy.length, 3);

    const files = [0, 2].map((cls, i) => {
      const f = path.join(tmp, `img${i}.png`);
      return { f, img: tensor(patternImage(cls, () => 0.5), { shape: [1, SIZE, SIZE] }) };
    });
    await Promise.all(files.map(({ f, img }) => writeImage(f, img)));
    {
      const explained = cli('explain', runDir, ...files.map((x) => x.f), '--method', 'gradcam,saliency,integrated-gradients');
      assert.equal(explained.code, 0, explained.stderr);
      for (const m of ['gradcam', 'saliency', 'integrated-gradients']) assert.ok(existsSync(path.join(runDir, 'explain', `${m}.png`)), `${m}.png missing`);
      const bad = cli('attack', runDir, '--attack', 'nope', '--eps', '0.1');
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /unknown attack 'nope'/);
      const noEps = cli('attack', runDir);
      assert.equal(noEps.code, 2);
      assert.match(noEps.stderr, /--eps is required/);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the adversarial section of a config is checked field by field', () => {
  const base = { name: 'x', dataset: { kind: 'fashion-mnist' }, model: { name: 'mlp' }, optimizer: { name: 'adam', lr: 0.001 }, epochs: 1, batchSize: 8 };
  assert.equal(validateConfig({ ...base, adversarial: { method: 'trades', eps: 0.1, beta: 6 } }).adversarial?.method, 'trades');
  assert.throws(() => validateConfig({ ...base, adversarial: { method: 'fgsm', eps: 0.1 } }), /adversarial\.method/);
  assert.throws(() => validateConfig({ ...base, adversarial: { method: 'pgd', eps: 2 } }), /adversarial\.eps/);
  assert.throws(() => validateConfig({ ...base, adversarial: { method: 'pgd', eps: 0.1, guard: {} } }), /split\.val: must be above 0: adversarial\.guard/);
});
