// Every example config parses and validates through the one schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfigText, validateConfig } from '../../src/experiment/index.js';

const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples');

test('every example config validates, starts with a comment header and is named after its file', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();
  assert.ok(files.length > 0, `no example configs found in ${EXAMPLES}`);
  for (const f of files) {
    const text = readFileSync(path.join(EXAMPLES, f), 'utf8');
    assert.match(text, /^# \S/, `${f} has no comment header`);
    const cfg = validateConfig(parseConfigText(text, f));
    assert.equal(`${cfg.name}.yaml`, f, `${f}: name should match the file name`);
  }
});
