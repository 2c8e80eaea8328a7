// Weight penalties added to the training loss: one rule for a whole model
// (weightPenalty), or the terms its modules declare through Module's penalty hook, like
// Keras' kernel_regularizer (modelPenalty). Both follow Keras' convention: l2 adds
// factor × Σw² (no ½) and l1 adds factor × Σ|w|.
import { Tensor, zeros } from '../torch/index.js';
import { Module, type PenaltyFactors } from '../nn/index.js';

/** A penalty declared on one parameter (see Module.addPenalty). */
export interface ParamPenalty extends PenaltyFactors {
  /** Dotted parameter name, e.g. 'features.0.weight'. */
  paramName: string;
}

export interface WeightPenaltyOptions {
  l1?: number;
  l2?: number;
  /** Parameter-name prefixes to penalise (e.g. ['layer4', 'fc']); every layer when omitted. */
  layers?: string[];
  /**
   * Penalise biases and normalisation scales too. Off by default: only kernels and
   * weight matrices (parameters with two or more dimensions) are penalised, as in Keras.
   */
  includeAll?: boolean;
}

function checkFactor(v: number | undefined, what: string): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${what} must be a non-negative number, got ${String(v)}`);
  return v;
}

function matchesPrefix(name: string, prefix: string): boolean {
  return name === prefix || name.startsWith(prefix.endsWith('.') ? prefix : `${prefix}.`);
}

function penaltyOf(p: Tensor, l1: number, l2: number): Tensor | null {
  let term: Tensor | null = null;
  if (l1 > 0) term = p.abs().sum().mul(l1);
  if (l2 > 0) {
    const sq = p.square().sum().mul(l2);
    term = term ? term.add(sq) : sq;
  }
  return term;
}

function sumTerms(terms: Tensor[], like: Tensor | undefined): Tensor {
  if (terms.length === 0) return zeros([], { device: like?.device ?? 'cpu' });
  return terms.reduce((a, b) => a.add(b));
}

/** l1/l2 penalty over a model's weights as a scalar tensor to add to the loss (call inside tidy). */
export function weightPenalty(model: Module, opts: WeightPenaltyOptions): Tensor {
  const l1 = checkFactor(opts.l1, 'weightPenalty: l1');
  const l2 = checkFactor(opts.l2, 'weightPenalty: l2');
  const prefixes = opts.layers;
  const params = [...model.namedParameters()];
  if (prefixes) {
    const unmatched = prefixes.filter((pre) => !params.some(([n]) => matchesPrefix(n, pre)));
    if (unmatched.length) throw new Error(`weightPenalty: no parameter of ${model.constructor.name} matches ${unmatched.join(', ')}`);
  }
  const terms: Tensor[] = [];
  for (const [name, p] of params) {
    if (prefixes && !prefixes.some((pre) => matchesPrefix(name, pre))) continue;
    if (!opts.includeAll && p.ndim < 2) continue;
    const t = penaltyOf(p, l1, l2);
    if (t) terms.push(t);
  }
  return sumTerms(terms, params[0]?.[1]);
}

/** The penalties declared on a model's parameters (Module.addPenalty), by dotted parameter name; empty for most models. */
export function declaredPenalties(model: Module): ParamPenalty[] {
  return [...model.namedPenalties()].map(([paramName, factors]) => ({ paramName, ...factors }));
}

/**
 * Whether modelPenalty can be non-zero: some module declares a penalty or overrides
 * penalty(). A training loop checks this once instead of adding zeros every step.
 */
export function hasPenalty(model: Module): boolean {
  return declaredPenalties(model).length > 0 || model.modules().some((m) => m.penalty !== Module.prototype.penalty);
}

/** Sum of every module's penalty() (each shared module once) as a scalar tensor; zero when there are none. */
export function modelPenalty(model: Module): Tensor {
  const terms: Tensor[] = [];
  for (const m of new Set(model.modules())) {
    const t = m.penalty();
    if (t !== null) terms.push(t);
  }
  return sumTerms(terms, model.parameters()[0]);
}
