// Copies of a model's state dict kept in memory (best weights so far), and putting them back.
import { type Tensor, keep, noGrad, tidy } from '../torch/index.js';
import type { Module } from '../nn/index.js';

export function snapshotWeights(model: Module): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  noGrad(() => {
    for (const [k, t] of model.stateDict()) out.set(k, keep(t.detach().clone()));
  });
  return out;
}

export function restoreWeights(model: Module, snapshot: Map<string, Tensor>): void {
  noGrad(() => tidy(() => {
    for (const [k, t] of model.stateDict()) {
      const s = snapshot.get(k);
      if (!s) throw new Error(`restoreWeights: the snapshot has no '${k}' (the model changed since it was taken)`);
      t.copy_(s);
    }
  }));
}

export function disposeSnapshot(snapshot: Map<string, Tensor> | undefined): void {
  if (snapshot) for (const t of snapshot.values()) t.dispose();
}
