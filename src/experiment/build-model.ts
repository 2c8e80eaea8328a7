// The model a config names, sized for the data, with pretrained weights and a frozen
// backbone when asked.
import path from 'node:path';
import type { Module } from '../nn/index.js';
import { createModel, loadPretrained, freezeBackbone, type CreateModelOptions } from '../models/index.js';
import { loadStateDictFile } from '../torch/index.js';
import type { ModelConfig } from './config.js';
import { ConfigError } from './config-check.js';

export interface ModelShape {
  numClasses: number;
  /** [channels, height, width] of the images reaching the model. */
  inputShape: [number, number, number];
}

/** A fresh model (random weights) of the configured architecture. */
export function createConfiguredModel(cfg: ModelConfig, shape: ModelShape): Module {
  const { name, pretrained: _p, freezeBackbone: _f, ...options } = cfg;
  const [c, h, w] = shape.inputShape;
  const opts = { ...options, numClasses: shape.numClasses, inChannels: c, inputSize: options.inputSize ?? [h, w] } as CreateModelOptions;
  try {
    return createModel(name, opts);
  } catch (e) {
    throw new ConfigError(`config.model (${name}): ${(e as Error).message}`);
  }
}

export interface BuiltModel {
  model: Module;
  /** What loading the pretrained weights left out, for the run log. */
  pretrainedReport?: { missingKeys: string[]; unexpectedKeys: string[]; mismatchedKeys: string[] };
}

export async function buildModel(cfg: ModelConfig, shape: ModelShape, baseDir: string): Promise<BuiltModel> {
  const model = createConfiguredModel(cfg, shape);
  const out: BuiltModel = { model };
  if (cfg.pretrained) {
    const file = path.isAbsolute(cfg.pretrained) ? cfg.pretrained : path.resolve(baseDir, cfg.pretrained);
    let weights;
    try {
      weights = await loadStateDictFile(file);
    } catch (e) {
      throw new ConfigError(`config.model.pretrained: ${(e as Error).message}`);
    }
    const r = loadPretrained(model, weights);
    for (const t of weights.values()) t.dispose();
    out.pretrainedReport = { missingKeys: r.missingKeys, unexpectedKeys: r.unexpectedKeys, mismatchedKeys: r.mismatchedKeys };
  }
  if (cfg.freezeBackbone) freezeBackbone(model);
  return out;
}
