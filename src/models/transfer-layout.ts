// What transfer learning needs to know about a model, declared by each zoo family so
// that replaceHead/freezeBackbone/unfreezeProgressively need no per-family switch.
import type { Module } from '../nn/index.js';

export interface TransferLayout {
  /** Dotted path of the final Linear layer, e.g. 'fc' (ResNet) or 'classifier.6' (VGG). */
  readonly headPath: string;
  /**
   * Parameter-name prefixes of the backbone grouped into stages, from the input towards
   * the head (the head itself excluded), e.g. ResNet's [['conv1', 'bn1'], ['layer1'], ...].
   */
  backboneStages(): string[][];
}

export function hasTransferLayout(m: Module): m is Module & TransferLayout {
  const l = m as Partial<TransferLayout>;
  return typeof l.headPath === 'string' && typeof l.backboneStages === 'function';
}
