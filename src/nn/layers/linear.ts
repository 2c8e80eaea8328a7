// Fully connected layer: y = x Wᵀ + b, weight [out, in] as in PyTorch.
import { Tensor, empty, tidy } from '../../torch/index.js';
import { Module } from '../module.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';
import * as F from '../functional.js';

export interface LinearOptions { bias?: boolean }

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    F.checkPositiveInt(inFeatures, 'Linear inFeatures');
    F.checkPositiveInt(outFeatures, 'Linear outFeatures');
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.registerParameter('weight', empty([outFeatures, inFeatures]));
    this.registerParameter('bias', (opts.bias ?? true) ? empty([outFeatures]) : null);
    this.resetParameters();
  }

  get weight(): Tensor { return this.getParameter('weight')!; }
  get bias(): Tensor | null { return this.getParameter('bias') ?? null; }

  /** PyTorch's default: kaiming_uniform_(a=√5) for the weight, U(±1/√fanIn) for the bias. */
  resetParameters(): void {
    tidy(() => {
      kaimingUniform_(this.weight, { a: Math.sqrt(5) });
      const b = this.bias;
      if (b) {
        const { fanIn } = calculateFanInAndFanOut(this.weight);
        const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        uniform_(b, -bound, bound);
      }
    });
  }

  override forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor) || x.ndim < 1 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new RangeError(`${this.describe()}: expected input [..., ${this.inFeatures}], got ${x instanceof Tensor ? `shape [${x.shape.join(', ')}]` : typeof x}`);
    }
    return F.linear(x, this.weight, this.bias);
  }

  private describe(): string { return `Linear(${this.inFeatures}, ${this.outFeatures})`; }
  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
