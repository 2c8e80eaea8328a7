// Dropout: random zeroing (scaled by 1/(1-p)) in training, the identity in eval.
import { Tensor } from '../../torch/index.js';
import { Module } from '../module.js';
import * as F from '../functional.js';

/** Zeroes single elements. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    F.checkProbability(p, 'Dropout');
  }
  override forward(x: Tensor): Tensor { return F.dropout(x, this.p, this.training); }
  override extraRepr(): string { return `p=${this.p}`; }
}

/** Zeroes whole channels of [N, C, H, W] feature maps, which suits correlated neighbouring pixels. */
export class Dropout2d extends Module {
  constructor(readonly p = 0.5) {
    super();
    F.checkProbability(p, 'Dropout2d');
  }
  override forward(x: Tensor): Tensor { return F.dropout2d(x, this.p, this.training); }
  override extraRepr(): string { return `p=${this.p}`; }
}
