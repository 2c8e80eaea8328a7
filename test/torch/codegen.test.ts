// The committed bindings are exactly what the committed schema snapshot generates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateOps, generateEnums, formatSnapshot, type SchemaSnapshot } from '../../scripts/ops-codegen.js';

const root = new URL('../../../', import.meta.url);
const read = (p: string) => readFileSync(fileURLToPath(new URL(p, root)), 'utf8');

test('regenerating from scripts/op-schemas.json reproduces ops.generated.ts and enums.generated.ts byte for byte', () => {
  const text = read('scripts/op-schemas.json');
  const snapshot = JSON.parse(text) as SchemaSnapshot;
  assert.ok(snapshot.schemas.length > 2000, 'the snapshot holds the registered schemas');
  assert.ok(generateOps(snapshot) === read('src/torch/ops.generated.ts'), 'ops.generated.ts differs: run `npm run gen:ops`');
  assert.ok(generateEnums(snapshot) === read('src/torch/enums.generated.ts'), 'enums.generated.ts differs: run `npm run gen:ops`');
  // The snapshot itself is in canonical form (sorted, one schema per line).
  assert.ok(formatSnapshot(snapshot) === text, 'op-schemas.json is not in canonical form: run `npm run gen:schemas`');
});

test('the generator reacts to the snapshot (a changed schema changes the output)', () => {
  const snapshot = JSON.parse(read('scripts/op-schemas.json')) as SchemaSnapshot;
  const i = snapshot.schemas.findIndex((s) => s.name === 'aten::matmul' && s.overload === '');
  const changed = structuredClone(snapshot);
  changed.schemas[i]!.args[1]!.name = 'rhs';
  const out = generateOps(changed);
  assert.match(out, /export function matmul\(self: Tensor, rhs: Tensor\): Tensor/);
  changed.memoryFormat = [...snapshot.memoryFormat, 'SomethingNew'];
  assert.match(generateEnums(changed), /something_new: 4,/);
});

test('the snapshot is sorted and matches the libtorch the addon was built against', async () => {
  const snapshot = JSON.parse(read('scripts/op-schemas.json')) as SchemaSnapshot;
  const keys = snapshot.schemas.map((s) => `${s.name}.${s.overload}`);
  assert.deepEqual(keys, [...keys].sort());
  const { native } = await import('../../src/torch/native.js');
  const live = new Set((native.listSchemas() as { name: string; overload: string }[]).map((s) => `${s.name}.${s.overload}`));
  if (native.version() === snapshot.libtorch) {
    // Same libtorch: every snapshot operator is registered (else refresh with gen:schemas).
    const missing = keys.filter((k) => !live.has(k));
    assert.deepEqual(missing, []);
  }
});
