// Runs a Python script that builds a torchvision model, saves its state dict (weights.pt)
// and an input with its logits (io.pt) into a folder; loads those weights into the
// visionlab model (every key must match) and compares the logits on the same input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tidy, noGrad } from '../../src/torch/index.js';
import { loadStateDictFile } from '../../src/torch/serialize/index.js';
import type { Module } from '../../src/nn/index.js';
import { PYTHON } from './require-reference.js';

/** `script` is called as `python -c script DIR name`; returns the largest difference, the largest |logit| and the output's shape. */
export async function compareWithTorchvision(script: string, name: string, model: Module): Promise<{ diff: number; scale: number; shape: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'vl-torchvision-'));
  try {
    const r = spawnSync(PYTHON, ['-c', script, dir, name], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    assert.equal(r.status, 0, r.stderr);
    const weights = await loadStateDictFile(join(dir, 'weights.pt'));
    const io = await loadStateDictFile(join(dir, 'io.pt'));
    const { missingKeys, unexpectedKeys } = model.loadStateDict(weights, false);
    for (const w of weights.values()) w.dispose();
    assert.deepEqual(missingKeys, []);
    assert.deepEqual(unexpectedKeys, []);
    model.eval();
    const result = tidy(() => noGrad(() => {
      const ours = model.call(io.get('input')!);
      const theirs = io.get('logits')!;
      return { diff: ours.sub(theirs).abs().max().item(), scale: theirs.abs().max().item(), shape: ours.shape };
    }));
    for (const v of io.values()) v.dispose();
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
