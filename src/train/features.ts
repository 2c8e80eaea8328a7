// Penultimate-layer features: what the classification head sees, captured with a forward
// hook, for embeddings (t-SNE), nearest-neighbour checks and linear probes.
import { type Tensor, tidy, keep, noGrad, cat, isFloatingDType } from '../torch/index.js';
import type { Module } from '../nn/index.js';
import type { DataLoader } from '../data/index.js';
import { headPath } from '../models/index.js';
import { inEvalMode } from './evaluate.js';

export interface ExtractFeaturesOptions {
  /** Dotted path of a layer whose output to take; default: the input of the model's head. */
  layer?: string;
  device?: string;
  /** Stop after this many samples. */
  maxSamples?: number;
}

/** Features [N, D] (on the CPU, flattened per sample) and the samples' class labels. */
export async function extractFeatures(model: Module, data: DataLoader, opts: ExtractFeaturesOptions = {}): Promise<{ features: Tensor; labels: Int32Array }> {
  const path = opts.layer ?? headPath(model);
  const target = model.getSubmodule(path);
  let captured: Tensor | undefined;
  // Without a layer the head's input is taken, i.e. the output of whatever precedes it.
  const remove = target.registerForwardHook((_m, inputs, output) => {
    const t = (opts.layer ? output : inputs[0]) as Tensor;
    captured = keep(t.detach().reshape([t.shape[0]!, -1]).to('cpu'));
    return undefined;
  });
  const parts: Tensor[] = [];
  const labels: number[] = [];
  const max = opts.maxSamples ?? Infinity;
  try {
    await inEvalMode(model, async () => {
      for await (const batch of data.iterate(0)) {
        try {
          if (labels.length >= max) break;
          noGrad(() => tidy(() => {
            const x = opts.device && batch.inputs.device !== opts.device ? batch.inputs.to(opts.device) : batch.inputs;
            model.call(x);
          }));
          if (!captured) throw new Error(`extractFeatures: layer '${path}' did not run during the forward pass`);
          const take = Math.min(captured.shape[0]!, max - labels.length);
          parts.push(take < captured.shape[0]! ? keep(tidy(() => captured!.narrow(0, 0, take).clone())) : captured);
          if (take < captured.shape[0]!) captured.dispose();
          captured = undefined;
          if (isFloatingDType(batch.targets.dtype) || batch.targets.ndim !== 1) throw new Error('extractFeatures: targets must be class indices [N]');
          const y = batch.targets.toFlatArray();
          for (let i = 0; i < take; i++) labels.push(y[i]!);
        } finally {
          batch.inputs.dispose();
          batch.targets.dispose();
        }
      }
    });
    if (parts.length === 0) throw new Error('extractFeatures: the data loader yielded no batches');
    return { features: keep(cat(parts)), labels: Int32Array.from(labels) };
  } finally {
    remove();
    captured?.dispose();
    for (const p of parts) p.dispose();
  }
}
