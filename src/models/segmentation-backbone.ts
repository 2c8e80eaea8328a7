// What DeepLabV3+ needs of a backbone: low-level features at stride 4 for the decoder's
// detail, and the last features at the output stride for ASPP, with their channel counts.
import type { Tensor } from '../torch/index.js';
import { Module } from '../nn/index.js';

/** A backbone's two outputs: low-level features at stride 4 and the last features at the output stride. */
export interface SegmentationFeatures { low: Tensor; high: Tensor }

export abstract class SegmentationBackbone extends Module {
  abstract readonly lowChannels: number;
  abstract readonly highChannels: number;
  abstract extract(x: Tensor): SegmentationFeatures;

  override forward(x: Tensor): Tensor {
    return this.extract(x).high;
  }
}
