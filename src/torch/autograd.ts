// Autograd helpers beyond Tensor.backward(): grad-mode scopes and input gradients.
import { native as N } from './native.js';
import { Tensor, wrap, handleOf } from './tensor.js';

function withGradMode<T>(on: boolean, fn: () => T): T {
  const prev = N.isGradEnabled();
  N.setGradEnabled(on);
  try {
    const r = fn();
    if (r instanceof Promise) throw new TypeError('noGrad/enableGrad: fn must be synchronous');
    return r;
  } finally {
    N.setGradEnabled(prev);
  }
}

/** Runs fn without recording operations for autograd (evaluation, weight updates). */
export function noGrad<T>(fn: () => T): T { return withGradMode(false, fn); }
/** Runs fn with gradient recording on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T { return withGradMode(true, fn); }
export function isGradEnabled(): boolean { return N.isGradEnabled(); }
export function setGradEnabled(on: boolean): void { N.setGradEnabled(on); }

export interface GradOptions {
  gradOutputs?: (Tensor | undefined)[];
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
}

/**
 * Gradients of outputs with respect to inputs (torch.autograd.grad), without touching
 * `.grad`. Adversarial attacks and gradient checks use it. Unused inputs give undefined
 * when allowUnused is set.
 */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradOptions = {}): (Tensor | undefined)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const res = N.autogradGrad(outs.map(handleOf), ins.map(handleOf), opts.gradOutputs?.map((g) => g?.h),
    opts.retainGraph, opts.createGraph, opts.allowUnused);
  return res.map((h) => (h === undefined ? undefined : wrap(h)));
}
