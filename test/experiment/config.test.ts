// Config validation: defaults are filled in, and every mistake names its field and what
// would have been accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validateConfig, parseConfigText, loadConfigFile, ConfigError } from '../../src/experiment/index.js';

// Tests write deliberately invalid values anywhere in a raw config.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RawConfig = Record<string, any>;

function base(): RawConfig {
  return {
    name: 'fm-cnn',
    dataset: { kind: 'fashion-mnist' },
    model: { name: 'fashion-cnn' },
    optimizer: { name: 'adam', lr: 0.001 },
    epochs: 5,
    batchSize: 64,
  };
}

function rejects(mutate: (c: RawConfig) => void, pattern: RegExp): void {
  const c = base();
  mutate(c);
  assert.throws(() => validateConfig(c), (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.match((e as Error).message, pattern);
    return true;
  });
}

test('a minimal config gets its defaults', () => {
  const c = validateConfig(base());
  assert.equal(c.seed, 0);
  assert.deepEqual(c.split, { val: 0, stratified: true, test: 'dataset' });
  assert.deepEqual(c.transforms, { train: [], test: [], normalize: 'none' });
  assert.equal(c.device, 'cpu');
  assert.equal(c.schedule, undefined);
  assert.equal(c.task, 'classification');
  assert.equal(c.deterministic, false);
  assert.equal(c.checkpointEvery, undefined);
});

test('a validated config validates again unchanged (config.json can be re-run)', () => {
  const raw = { ...base(), schedule: { name: 'one-cycle', maxLr: 0.003 }, earlyStopping: { patience: 2 }, split: { val: 0.1 },
    transforms: { train: [{ name: 'RandomCrop', size: 28, padding: 2 }], normalize: { mean: [0.28], std: [0.35] } } };
  const once = validateConfig(raw);
  assert.deepEqual(validateConfig(JSON.parse(JSON.stringify(once))), once);
});

test('unknown names list the allowed values', () => {
  rejects((c) => { c.optimizer.name = 'adamm'; }, /^config\.optimizer\.name: 'adamm' is not one of adam, adamw, sgd, rmsprop, adadelta, adagrad$/);
  rejects((c) => { c.model.name = 'resnet19'; }, /^config\.model\.name: 'resnet19' is not one of .*fashion-cnn-plus.*resnet18/);
  rejects((c) => { c.dataset.kind = 'imagenet'; }, /^config\.dataset\.kind: 'imagenet' is not one of fashion-mnist, mnist, cifar10/);
  rejects((c) => { c.schedule = { name: 'cosin' }; }, /^config\.schedule\.name: 'cosin' is not one of one-cycle, cosine, step, plateau, warmup-cosine$/);
  rejects((c) => { c.transforms = { train: [{ name: 'RandomFlip' }] }; }, /^config\.transforms\.train\[0\]\.name: 'RandomFlip' is not one of RandomCrop, /);
  rejects((c) => { c.regroup = 'fashion-3'; }, /^config\.regroup: 'fashion-3' is not one of fashion-mnist-3$/);
  rejects((c) => { c.classWeights = 'inverse'; }, /^config\.classWeights: 'inverse' is not one of balanced$/);
});

test('unknown keys are rejected with the allowed keys', () => {
  rejects((c) => { c.optimiser = { name: 'adam' }; }, /^config\.optimiser: unknown key \(allowed keys: name, seed, dataset/);
  rejects((c) => { c.optimizer.learningRate = 0.1; }, /^config\.optimizer\.learningRate: unknown key \(allowed keys: name, lr, weightDecay/);
  rejects((c) => { c.transforms = { train: [{ name: 'RandomCrop', size: 28, pad: 4 }] }; }, /^config\.transforms\.train\[0\]\.pad: unknown key \(allowed keys: name, size, padding, paddingMode, maskFill\)$/);
  rejects((c) => { c.schedule = { name: 'step', stepSize: 2, tMax: 3 }; }, /^config\.schedule\.tMax: unknown key \(allowed keys: name, stepSize, gamma\)$/);
  rejects((c) => { c.model.kernelSize = 3; }, /^config\.model\.kernelSize: unknown key/);
});

test('wrong types name the field and the expected type', () => {
  rejects((c) => { c.epochs = '10'; }, /^config\.epochs: expected an integer >= 1 and <= 10000, got '10'$/);
  rejects((c) => { c.batchSize = 32.5; }, /^config\.batchSize: expected an integer >= 1/);
  rejects((c) => { c.dataset = 'fashion-mnist'; }, /^config\.dataset: expected an object with keys kind, root/);
  rejects((c) => { c.split = { val: 0.1, stratified: 'yes' }; }, /^config\.split\.stratified: expected true or false, got 'yes'$/);
  rejects((c) => { c.optimizer.betas = 0.9; }, /^config\.optimizer\.betas: expected a list of 2 numbers, got 0\.9$/);
  rejects((c) => { delete c.name; }, /^config\.name: expected a non-empty string, got missing$/);
});

test('out-of-range numbers name the field and the range', () => {
  rejects((c) => { c.optimizer.lr = 0; }, /^config\.optimizer\.lr: expected a number > 0 and <= 10, got 0$/);
  rejects((c) => { c.optimizer.lr = -0.1; }, /^config\.optimizer\.lr: /);
  rejects((c) => { c.epochs = 0; }, /^config\.epochs: expected an integer >= 1/);
  rejects((c) => { c.optimizer = { name: 'sgd', lr: 0.1, momentum: 1.5 }; }, /^config\.optimizer\.momentum: expected a number >= 0 and < 1, got 1\.5$/);
  rejects((c) => { c.labelNoise = { kind: 'symmetric', rate: 1.2 }; }, /^config\.labelNoise\.rate: expected a number >= 0 and <= 1, got 1\.2$/);
  rejects((c) => { c.split = { val: 1.5 }; }, /^config\.split\.val: expected a fraction in \[0, 1\) or a whole count, got 1\.5$/);
  rejects((c) => { c.model.dropout = 1; }, /^config\.model\.dropout: expected a number >= 0 and < 1, got 1$/);
  rejects((c) => { c.schedule = { name: 'warmup-cosine', warmupEpochs: 5 }; }, /^config\.schedule\.warmupEpochs: expected an integer >= 1 and < 5, got 5$/);
});

test('fields that depend on each other are checked together', () => {
  rejects((c) => { c.dataset = { kind: 'npy' }; }, /^config\.dataset\.root: required for dataset kind 'npy'/);
  rejects((c) => { c.dataset = { kind: 'image-folder', root: 'scenes' }; }, /^config\.dataset\.size: required for image-folder/);
  rejects((c) => { c.dataset = { kind: 'image-folder', root: 'scenes', size: 64 }; }, /^config\.split\.test: dataset kind 'image-folder' has no test split of its own/);
  rejects((c) => { c.optimizer.momentum = 0.9; }, /^config\.optimizer\.momentum: only sgd and rmsprop take momentum/);
  rejects((c) => { c.earlyStopping = { patience: 3 }; }, /^config\.split\.val: must be above 0: earlyStopping monitors val_loss$/);
  rejects((c) => { c.labelNoise = { kind: 'asymmetric', rate: 0.3 }; }, /^config\.labelNoise\.mapping: required for asymmetric noise/);
  rejects((c) => { c.regroup = { mapping: [0, 1, 3], classNames: ['a', 'b'] }; }, /^config\.regroup\.mapping\[2\]: 3 is not a new class index/);
  rejects((c) => { c.dataset.labels = 'noisy'; }, /^config\.dataset\.labels: only labelled-dir datasets/);
});

test('task, deterministic and checkpointEvery are accepted and checked', () => {
  const c = validateConfig({ ...base(), task: 'classification', deterministic: true, checkpointEvery: 500 });
  assert.equal(c.task, 'classification');
  assert.equal(c.deterministic, true);
  assert.equal(c.checkpointEvery, 500);
  rejects((c) => { c.task = 'detection'; }, /^config\.task: 'detection' is not one of classification, denoise, segmentation, multilabel$/);
  rejects((c) => { c.deterministic = 'yes'; }, /^config\.deterministic: expected true or false, got 'yes'$/);
  rejects((c) => { c.checkpointEvery = 0; }, /^config\.checkpointEvery: expected an integer >= 1, got 0$/);
  rejects((c) => { c.checkpointEvery = 2.5; }, /^config\.checkpointEvery: expected an integer >= 1, got 2\.5$/);
  rejects((c) => { c.checkpointEvery = '100'; }, /^config\.checkpointEvery: expected an integer >= 1, got '100'$/);
});

test('every problem is reported, one line each, misspelt keys first', () => {
  rejects((c) => { c.optimiser = c.optimizer; delete c.optimizer; c.epochs = 0; }, new RegExp([
    /^config\.optimiser: unknown key \(allowed keys: name, seed, dataset.*\)/,
    /config\.optimizer: expected an object with keys name, lr, .*, got missing/,
    /config\.epochs: expected an integer >= 1 and <= 10000, got 0$/,
  ].map((r) => r.source).join('\n')));
  rejects((c) => { c.optimizer = { name: 'adamx', lr: 0, mom: 0.9 }; }, new RegExp([
    /^config\.optimizer\.mom: unknown key \(allowed keys: name, lr, weightDecay, momentum, nesterov, betas, eps\)/,
    /config\.optimizer\.name: 'adamx' is not one of adam, adamw, sgd, rmsprop, adadelta, adagrad/,
    /config\.optimizer\.lr: expected a number > 0 and <= 10, got 0$/,
  ].map((r) => r.source).join('\n')));
});

test('an empty YAML field counts as absent', () => {
  const c = validateConfig({ ...base(), seed: null, schedule: null, split: { val: null } });
  assert.equal(c.seed, 0);
  assert.equal(c.schedule, undefined);
  assert.equal(c.split.val, 0);
});

test('schedules accept only their own keys and say what they require', () => {
  rejects((c) => { c.schedule = { name: 'step' }; }, /^config\.schedule\.stepSize: required for the step schedule/);
  rejects((c) => { c.schedule = 'cosine'; }, /^config\.schedule: expected \{name: one-cycle \| cosine \| step \| plateau \| warmup-cosine, \.\.\.\}, got 'cosine'$/);
  rejects((c) => { c.schedule = { name: 'plateau' }; }, /^config\.split\.val: must be above 0: the plateau schedule watches val_loss$/);
  const c = validateConfig({ ...base(), schedule: { name: 'warmup-cosine', warmupEpochs: 2, etaMin: 0 } });
  assert.deepEqual(c.schedule, { name: 'warmup-cosine', warmupEpochs: 2, etaMin: 0 });
});

test('union-valued fields report the alternative the value was meant for', () => {
  rejects((c) => { c.dataset = { kind: 'labelled-dir', root: 'x', size: [64] }; }, /^config\.dataset\.size: expected a list of 2 integers >= 1, got a list \[64\]$/);
  rejects((c) => { c.dataset = { kind: 'labelled-dir', root: 'x', size: 0 }; }, /^config\.dataset\.size: expected an integer >= 1, got 0$/);
  rejects((c) => { c.dataset = { kind: 'labelled-dir', root: 'x', size: 'big' }; }, /^config\.dataset\.size: expected an integer >= 1 or a list of 2 of them, got 'big'$/);
  rejects((c) => { c.transforms = { normalize: { mean: [0.5], std: [0.2, 0.3] } }; }, /^config\.transforms\.normalize: mean has 1 values but std has 2$/);
  rejects((c) => { c.transforms = { normalize: 'standard' }; }, /^config\.transforms\.normalize: expected 'auto', 'none' or \{mean: \[\.\.\.\], std: \[\.\.\.\]\}, got "standard"$/);
  rejects((c) => { c.labelNoise = { kind: 'asymmetric', rate: 0.2, mapping: { cat: 1 } }; }, /^config\.labelNoise\.mapping\.cat: keys must be class indices$/);
  rejects((c) => { c.split = { test: 'own' }; }, /^config\.split\.test: expected 'dataset', a fraction in \[0, 1\) or a whole count, got 'own'$/);
});

test('YAML and JSON text parse, and bad YAML names the file', () => {
  const yaml = parseConfigText('name: x\nepochs: 3\noptimizer: {name: sgd, lr: 0.1}\n', 'a.yaml') as Record<string, unknown>;
  assert.deepEqual(yaml, { name: 'x', epochs: 3, optimizer: { name: 'sgd', lr: 0.1 } });
  assert.deepEqual(parseConfigText('{"name": "x"}', 'a.json'), { name: 'x' });
  assert.throws(() => parseConfigText('name: [unclosed\n', 'bad.yaml'), /^ConfigError: bad\.yaml: not valid YAML/);
});

test('a config file names itself on every line of its errors', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'visionlab-config-'));
  try {
    const file = path.join(dir, 'x.yaml');
    writeFileSync(file, 'name: x\ndataset: {kind: mnist}\nmodel: {name: mlp}\noptimizer: {name: sgd, lr: 0.1}\nepochs: 0\nbatchSize: 0\n');
    assert.throws(() => loadConfigFile(file), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal((e as Error).message, `${file}: config.epochs: expected an integer >= 1 and <= 10000, got 0\n` +
        `${file}: config.batchSize: expected an integer >= 1 and <= 65536, got 0`);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
