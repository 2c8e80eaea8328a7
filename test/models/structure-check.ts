// Compares a visionlab model's state dict and parameter count with torchvision's (live
// from Python when available, else the pasted reference).
import assert from 'node:assert/strict';
import type { Module } from '../../src/nn/index.js';
import { PASTED, type TorchvisionStructure } from './torchvision-reference.js';

export function assertSameStructure(name: string, model: Module, live: Record<string, TorchvisionStructure> | null): void {
  const ours: [string, number[]][] = [...model.stateDict()].map(([k, t]) => [k, t.shape]);
  if (live) {
    const ref = live[name]!;
    assert.deepEqual(ours.map(([k]) => k), ref.keys.map(([k]) => k), `${name}: state-dict keys (in order) differ from torchvision's`);
    assert.deepEqual(ours, ref.keys, `${name}: state-dict shapes differ from torchvision's`);
    assert.equal(model.numParameters(), ref.params, `${name}: parameter count`);
  }
  const pasted = PASTED[name]!;
  assert.equal(model.numParameters(), pasted.params, `${name}: parameter count`);
  assert.equal(ours.length, pasted.numKeys, `${name}: number of state-dict entries`);
  const byName = new Map(ours);
  for (const [k, shape] of pasted.sample) assert.deepEqual(byName.get(k), shape, `${name}: ${k}`);
}
