// Layers that only rearrange or pass through their input.
import { Tensor } from '../../torch/index.js';
import { Module } from '../module.js';
import * as F from '../functional.js';

/** Merges dims startDim..endDim into one ([N, C, H, W] -> [N, C*H*W] by default). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
    if (!Number.isInteger(startDim) || !Number.isInteger(endDim)) throw new RangeError(`Flatten: dims must be integers, got ${startDim}, ${endDim}`);
  }
  override forward(x: Tensor): Tensor {
    const norm = (d: number): number => (d < 0 ? d + x.ndim : d);
    const s = norm(this.startDim), e = norm(this.endDim);
    if (x.ndim > 0 && (s < 0 || s >= x.ndim || e < 0 || e >= x.ndim || s > e)) {
      throw new RangeError(`Flatten(${this.startDim}, ${this.endDim}): dims out of range for input of shape ${F.shapeStr(x)}`);
    }
    return F.flatten(x, this.startDim, this.endDim);
  }
  override extraRepr(): string { return `startDim=${this.startDim}, endDim=${this.endDim}`; }
}

/** Returns its input; a placeholder where a layer is optional (e.g. a removed head). */
export class Identity extends Module {
  override forward(x: Tensor): Tensor { return x; }
}
