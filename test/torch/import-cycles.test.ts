// No module of the torch layer imports itself through others: the generated bindings, in
// particular, must not import the Tensor class whose methods call them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Runtime imports of the compiled files (TypeScript drops type-only imports), so what is
// checked is what Node actually loads.
const torchDir = fileURLToPath(new URL('../../src/torch/', import.meta.url));

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? jsFiles(p) : p.endsWith('.js') ? [p] : [];
  });
}

function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms), ...text.matchAll(/^\s*import\s+'(\.[^']+)'/gm)];
  return specs.map((m) => path.resolve(path.dirname(file), m[1]!));
}

export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'active') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'active');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

test('the cycle finder finds a cycle when there is one', () => {
  assert.deepEqual(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), ['a', 'b', 'c', 'a']);
  assert.equal(findCycle(new Map([['a', ['b']], ['b', []], ['c', ['a', 'b']]])), null);
});

test('src/torch has no import cycle', () => {
  const files = jsFiles(torchDir);
  assert.ok(files.some((f) => f.endsWith('ops.generated.js')) && files.some((f) => f.endsWith('tensor.js')));
  const graph = new Map(files.map((f) => [f, localImports(f).filter((p) => p.startsWith(torchDir))]));
  assert.ok(graph.get(path.join(torchDir, 'tensor.js'))!.includes(path.join(torchDir, 'ops.generated.js')), 'the parser sees imports');
  const cycle = findCycle(graph);
  assert.equal(cycle && cycle.map((f) => path.relative(torchDir, f)).join(' -> '), null);
});
