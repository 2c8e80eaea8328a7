// Handles in and out of Tensors. This sits apart from the Tensor class because the
// generated operator bindings need it and Tensor's methods need those bindings: with the
// class registered here at load time, ops.generated.ts imports only this module (and
// Tensor as a type), and there is no import cycle.
import type { Handle } from './native.js';
import type { Tensor } from './tensor.js';

type TensorClass = new (h: Handle) => Tensor;
let TensorCtor: TensorClass | null = null;

/** Called once by tensor.ts when the Tensor class is defined. */
export function registerTensorClass(cls: TensorClass): void {
  TensorCtor = cls;
}

function tensorClass(): TensorClass {
  if (TensorCtor === null) throw new Error('visionlab: the Tensor class is not loaded; import from torch/index.js');
  return TensorCtor;
}

/** Wraps a handle returned by the addon into a Tensor tracked by the current scope. */
export function wrap(h: unknown): Tensor {
  return new (tensorClass())(h as Handle);
}

export function isTensor(v: unknown): v is Tensor {
  return TensorCtor !== null && v instanceof TensorCtor;
}

export function describeJs(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v;
}

export function handleOf(t: Tensor): Handle {
  if (!isTensor(t)) throw new TypeError(`expected a Tensor, got ${describeJs(t)}`);
  return t.h;
}

export function optHandleOf(t: Tensor | null | undefined): Handle | undefined {
  return t == null ? undefined : handleOf(t);
}
