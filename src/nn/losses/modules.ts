// Loss modules: the functional losses with their options fixed at construction, as
// torch.nn's loss classes. Weight tensors are buffers named as in PyTorch ('weight',
// 'pos_weight') so that Module.to(device) moves them along with a model.
import { type Tensor } from '../../torch/index.js';
import { Module } from '../module.js';
import { type Reduction, REDUCTIONS, checkReduction } from './reduction.js';
import { requireNumber } from './checks.js';
import { type CrossEntropyOptions, type NLLLossOptions, type ResolvedCrossEntropyOptions, crossEntropy, nllLoss, resolveCrossEntropyOptions } from './cross-entropy.js';
import { type BCELossOptions, type BCEWithLogitsLossOptions, binaryCrossEntropy, binaryCrossEntropyWithLogits } from './binary.js';
import { type HuberLossOptions, type RegressionLossOptions, type SmoothL1LossOptions, huberLoss, l1Loss, mseLoss, smoothL1Loss } from './regression.js';
import { type KLDivLossOptions, type KLDivReduction, KL_DIV_REDUCTIONS, klDiv } from './kl-div.js';

/** A module computing loss(input, target). */
export abstract class Loss<R extends string = Reduction> extends Module<[input: Tensor, target: Tensor]> {
  readonly reduction: R;

  constructor(name: string, reduction: R | undefined, allowed: readonly R[]) {
    super();
    this.reduction = checkReduction(name, reduction, allowed);
  }

  abstract override forward(input: Tensor, target: Tensor): Tensor;
  override extraRepr(): string { return `reduction=${this.reduction}`; }

  protected buffer(name: string): Tensor | null { return this.getBuffer(name) ?? null; }
}

export class CrossEntropyLoss extends Loss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(opts: CrossEntropyOptions = {}) {
    const o: ResolvedCrossEntropyOptions = resolveCrossEntropyOptions('CrossEntropyLoss', opts);
    super('CrossEntropyLoss', o.reduction, REDUCTIONS);
    this.ignoreIndex = o.ignoreIndex;
    this.labelSmoothing = o.labelSmoothing;
    this.registerBuffer('weight', o.weight);
  }
  get weight(): Tensor | null { return this.buffer('weight'); }
  override forward(logits: Tensor, target: Tensor): Tensor {
    return crossEntropy(logits, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
  override extraRepr(): string {
    return `${super.extraRepr()}, ignoreIndex=${this.ignoreIndex}, labelSmoothing=${this.labelSmoothing}${this.weight ? ', weight' : ''}`;
  }
}

export class NLLLoss extends Loss {
  readonly ignoreIndex: number;

  constructor(opts: NLLLossOptions = {}) {
    const o = resolveCrossEntropyOptions('NLLLoss', opts);
    super('NLLLoss', o.reduction, REDUCTIONS);
    this.ignoreIndex = o.ignoreIndex;
    this.registerBuffer('weight', o.weight);
  }
  get weight(): Tensor | null { return this.buffer('weight'); }
  override forward(logProbs: Tensor, target: Tensor): Tensor {
    return nllLoss(logProbs, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
  override extraRepr(): string { return `${super.extraRepr()}, ignoreIndex=${this.ignoreIndex}${this.weight ? ', weight' : ''}`; }
}

export class BCEWithLogitsLoss extends Loss {
  constructor(opts: BCEWithLogitsLossOptions = {}) {
    super('BCEWithLogitsLoss', opts.reduction, REDUCTIONS);
    this.registerBuffer('weight', opts.weight ?? null);
    this.registerBuffer('pos_weight', opts.posWeight ?? null);
  }
  get weight(): Tensor | null { return this.buffer('weight'); }
  get posWeight(): Tensor | null { return this.buffer('pos_weight'); }
  override forward(logits: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(logits, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

export class BCELoss extends Loss {
  constructor(opts: BCELossOptions = {}) {
    super('BCELoss', opts.reduction, REDUCTIONS);
    this.registerBuffer('weight', opts.weight ?? null);
  }
  get weight(): Tensor | null { return this.buffer('weight'); }
  override forward(probs: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(probs, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class MSELoss extends Loss {
  constructor(opts: RegressionLossOptions = {}) { super('MSELoss', opts.reduction, REDUCTIONS); }
  override forward(input: Tensor, target: Tensor): Tensor { return mseLoss(input, target, { reduction: this.reduction }); }
}

export class L1Loss extends Loss {
  constructor(opts: RegressionLossOptions = {}) { super('L1Loss', opts.reduction, REDUCTIONS); }
  override forward(input: Tensor, target: Tensor): Tensor { return l1Loss(input, target, { reduction: this.reduction }); }
}

export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(opts: SmoothL1LossOptions = {}) {
    super('SmoothL1Loss', opts.reduction, REDUCTIONS);
    this.beta = requireNumber('SmoothL1Loss', 'beta', opts.beta ?? 1, (v) => v >= 0 && Number.isFinite(v), 'a finite number >= 0');
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
  override extraRepr(): string { return `${super.extraRepr()}, beta=${this.beta}`; }
}

export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(opts: HuberLossOptions = {}) {
    super('HuberLoss', opts.reduction, REDUCTIONS);
    this.delta = requireNumber('HuberLoss', 'delta', opts.delta ?? 1, (v) => v > 0 && Number.isFinite(v), 'a finite number > 0');
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
  override extraRepr(): string { return `${super.extraRepr()}, delta=${this.delta}`; }
}

export class KLDivLoss extends Loss<KLDivReduction> {
  readonly logTarget: boolean;
  constructor(opts: KLDivLossOptions = {}) {
    super('KLDivLoss', opts.reduction, KL_DIV_REDUCTIONS);
    this.logTarget = opts.logTarget ?? false;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
  override extraRepr(): string { return `${super.extraRepr()}, logTarget=${this.logTarget}`; }
}
