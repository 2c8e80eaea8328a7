// Every example config parses and validates, and says what it reproduces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfigText, validateConfig } from '../../src/experiment/index.js';

const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples');

test('example configs validate and start with a comment header', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();
  for (const expected of ['fashion-mnist-mlp.yaml', 'fashion-mnist-regroup-3.yaml', 'fashion-mnist-augmentation.yaml', 'fashion-cnn.yaml',
    'fashion-cnn-bn.yaml', 'fashion-cnn-dropout.yaml', 'fashion-cnn-l2.yaml', 'fashion-cnn-l1.yaml', 'scene-cnn.yaml', 'scene-resnet18.yaml',
    'noisy-label-baseline.yaml', 'noisy-label-cnn.yaml', 'fashion-mnist-best.yaml']) {
    assert.ok(files.includes(expected), `examples/${expected} is missing`);
  }
  for (const f of files) {
    const text = readFileSync(path.join(EXAMPLES, f), 'utf8');
    assert.match(text, /^# \S/, `${f} has no comment header`);
    const cfg = validateConfig(parseConfigText(text, f));
    assert.equal(`${cfg.name}.yaml`, f, `${f}: name should match the file name`);
  }
  const best = validateConfig(parseConfigText(readFileSync(path.join(EXAMPLES, 'fashion-mnist-best.yaml'), 'utf8'), 'best'));
  assert.equal(best.model.name, 'fashion-vgg');
  assert.deepEqual(best.transforms.train, [{ name: 'RandomHorizontalFlip' }]);
  assert.equal(best.epochs, 16);
});
