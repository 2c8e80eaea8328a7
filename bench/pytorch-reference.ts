// Runs a Python snippet under Debian's PyTorch, when it is installed, for same-run
// reference figures. PyTorch is never a runtime dependency of visionlab.
import { spawnSync } from 'node:child_process';

export const PYTHON = process.env.VISIONLAB_PYTHON ?? '/usr/bin/python3';

export function pytorchAvailable(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0;
}

/** Runs the script and parses the JSON object it prints on its last line. */
export function runPython<T>(script: string, env: Record<string, string> = {}): T {
  const r = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python reference failed (${r.status}):\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}
