// Noise-robust classification losses against values computed by hand from their formulas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, tidy } from '../../src/torch/index.js';
import { generalizedCrossEntropy, symmetricCrossEntropy, bootstrappingLoss } from '../../src/nn/index.js';

const LOGITS = [[2, 0, -1], [0.5, 0.5, 0.5], [-1, 3, 0]];
const TARGETS = [0, 2, 0];

function softmax(row: number[]): number[] {
  const e = row.map(Math.exp);
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
const P = LOGITS.map(softmax);
const PY = P.map((p, i) => p[TARGETS[i]!]!);

function perSample(f: (logits: ReturnType<typeof tensor>, t: ReturnType<typeof tensor>) => ReturnType<typeof tensor>): number[] {
  return tidy(() => f(tensor(LOGITS, { dtype: 'float64' }), tensor(TARGETS).long()).toFlatArray());
}

function close(got: number[], want: number[], what: string): void {
  want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) < 1e-12, `${what}[${i}]: got ${got[i]}, expected ${w}`));
}

test('generalized cross-entropy is (1 - p_y^q)/q, and q = 1 gives 1 - p_y', () => {
  close(perSample((l, t) => generalizedCrossEntropy(l, t, { q: 0.7, reduction: 'none' })), PY.map((p) => (1 - p ** 0.7) / 0.7), 'gce q=0.7');
  close(perSample((l, t) => generalizedCrossEntropy(l, t, { q: 1, reduction: 'none' })), PY.map((p) => 1 - p), 'gce q=1');
  const mean = tidy(() => generalizedCrossEntropy(tensor(LOGITS, { dtype: 'float64' }), tensor(TARGETS).long(), { q: 0.5 }).item());
  assert.ok(Math.abs(mean - PY.reduce((a, p) => a + (1 - p ** 0.5) / 0.5, 0) / 3) < 1e-12);
  assert.throws(() => generalizedCrossEntropy(tensor(LOGITS), tensor(TARGETS).long(), { q: 0 }), /q must be in \(0, 1\]/);
});

test('symmetric cross-entropy is alpha·CE + beta·(-log 1e-4)·(1 - p_y)', () => {
  const want = PY.map((p) => 0.1 * -Math.log(p) + 1 * -Math.log(1e-4) * (1 - p));
  close(perSample((l, t) => symmetricCrossEntropy(l, t, { alpha: 0.1, beta: 1, reduction: 'none' })), want, 'sce');
  const sum = tidy(() => symmetricCrossEntropy(tensor(LOGITS, { dtype: 'float64' }), tensor(TARGETS).long(), { reduction: 'sum' }).item());
  assert.ok(Math.abs(sum - want.reduce((a, b) => a + b, 0)) < 1e-12);
});

test('soft and hard bootstrapping: cross-entropy against beta·y + (1 - beta)·(p or argmax)', () => {
  const soft = P.map((p, i) => -p.reduce((a, pk, k) => a + (0.95 * (k === TARGETS[i] ? 1 : 0) + 0.05 * pk) * Math.log(pk), 0));
  close(perSample((l, t) => bootstrappingLoss(l, t, { mode: 'soft', reduction: 'none' })), soft, 'soft');
  // argmax: class 0, class 0 (ties go to the first), class 1.
  const arg = [0, 0, 1];
  const hard = P.map((p, i) => -(0.8 * Math.log(p[TARGETS[i]!]!) + 0.2 * Math.log(p[arg[i]!]!)));
  close(perSample((l, t) => bootstrappingLoss(l, t, { mode: 'hard', reduction: 'none' })), hard, 'hard');
  assert.throws(() => bootstrappingLoss(tensor(LOGITS), tensor([0, 1, 5]).long()), /target class 5 is out of range \[0, 3\)/);
});
