// Element-wise activations and the softmax family, as layers.
import { Tensor } from '../../torch/index.js';
import { Module } from '../module.js';
import * as F from '../functional.js';

export class ReLU extends Module {
  override forward(x: Tensor): Tensor { return F.relu(x); }
}

/** min(max(x, 0), 6), the activation of MobileNet. */
export class ReLU6 extends Module {
  override forward(x: Tensor): Tensor { return F.relu6(x); }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (!Number.isFinite(negativeSlope)) throw new RangeError(`LeakyReLU: negativeSlope must be a finite number, got ${negativeSlope}`);
  }
  override forward(x: Tensor): Tensor { return F.leakyRelu(x, this.negativeSlope); }
  override extraRepr(): string { return `negativeSlope=${this.negativeSlope}`; }
}

export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor { return F.sigmoid(x); }
}

export class Tanh extends Module {
  override forward(x: Tensor): Tensor { return F.tanh(x); }
}

/** Exact GELU by default; 'tanh' selects the approximation used by some checkpoints. */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') throw new RangeError(`GELU: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  }
  override forward(x: Tensor): Tensor { return F.gelu(x, this.approximate); }
  override extraRepr(): string { return this.approximate === 'none' ? '' : `approximate='${this.approximate}'`; }
}

export class Hardswish extends Module {
  override forward(x: Tensor): Tensor { return F.hardswish(x); }
}

/** relu6(x + 3) / 6, the gate of MobileNetV3's squeeze-and-excitation. */
export class Hardsigmoid extends Module {
  override forward(x: Tensor): Tensor { return F.hardsigmoid(x); }
}

export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
    checkDim(dim, 'Softmax');
  }
  override forward(x: Tensor): Tensor { return F.softmax(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
    checkDim(dim, 'LogSoftmax');
  }
  override forward(x: Tensor): Tensor { return F.logSoftmax(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}

// PyTorch guesses a dimension when none is given (with a warning); we ask for it.
function checkDim(dim: number, who: string): void {
  if (!Number.isInteger(dim)) throw new RangeError(`${who}: dim must be an integer (the dimension to normalise over), got ${dim}`);
}
