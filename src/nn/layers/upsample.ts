// Resizing feature maps by a size or a scale factor (decoders, segmentation heads).
import { Tensor } from '../../torch/index.js';
import { Module } from '../module.js';
import * as F from '../functional.js';

export interface UpsampleOptions {
  size?: F.Pair;
  scaleFactor?: number | [number, number];
  mode?: 'nearest' | 'bilinear';
  alignCorners?: boolean;
}

export class Upsample extends Module {
  readonly size: F.Pair | undefined;
  readonly scaleFactor: number | [number, number] | undefined;
  readonly mode: 'nearest' | 'bilinear';
  readonly alignCorners: boolean | undefined;

  constructor(opts: UpsampleOptions) {
    super();
    this.size = opts.size;
    this.scaleFactor = opts.scaleFactor;
    this.mode = opts.mode ?? 'nearest';
    this.alignCorners = opts.alignCorners;
    if ((this.size === undefined) === (this.scaleFactor === undefined)) {
      throw new RangeError('Upsample: give exactly one of size and scaleFactor');
    }
    if (this.mode !== 'nearest' && this.mode !== 'bilinear') throw new RangeError(`Upsample: mode must be 'nearest' or 'bilinear', got '${String(this.mode)}'`);
    if (this.mode === 'nearest' && this.alignCorners !== undefined) throw new RangeError("Upsample: alignCorners only applies to mode 'bilinear'");
  }

  override forward(x: Tensor): Tensor {
    return F.interpolate(x, { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners });
  }

  override extraRepr(): string {
    const what = this.size !== undefined ? `size=${JSON.stringify(this.size)}` : `scaleFactor=${JSON.stringify(this.scaleFactor)}`;
    return `${what}, mode='${this.mode}'${this.alignCorners !== undefined ? `, alignCorners=${this.alignCorners}` : ''}`;
  }
}
