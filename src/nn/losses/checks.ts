// Input validation shared by the losses. ATen's own errors name the operator but not what
// the caller meant, so shapes and dtypes are checked here first and reported in the
// loss's terms (`crossEntropy: target [4] ...`).
import { type Tensor, isFloatingDType } from '../../torch/index.js';

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function requireFloating(loss: string, what: string, t: Tensor): void {
  if (!isFloatingDType(t.dtype)) {
    throw new TypeError(`${loss}: ${what} must be a floating tensor, got ${t.dtype} ${fmtShape(t.shape)}`);
  }
}

/**
 * A floating target with exactly the input's shape, cast to the input's dtype (ATen's
 * mse and bce fail on mixed float32/float64, and cross-entropy would promote a float32
 * loss to float64). PyTorch only warns when the shapes differ and then broadcasts, which
 * silently computes the wrong loss (the classic [N, 1] against [N]); here it is an error.
 */
export function sameShapeTarget(loss: string, input: Tensor, target: Tensor, inputName = 'input'): Tensor {
  requireFloating(loss, inputName, input);
  if (!isFloatingDType(target.dtype)) {
    throw new TypeError(`${loss}: target must be a floating tensor like ${inputName} (${input.dtype}), got ${target.dtype} ${fmtShape(target.shape)}; convert it with .to('${input.dtype}')`);
  }
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(`${loss}: target shape ${fmtShape(target.shape)} does not match ${inputName} shape ${fmtShape(input.shape)}`);
  }
  return target.dtype === input.dtype ? target : target.to(input.dtype);
}

/** True when `small` broadcasts to exactly `big` (trailing dimensions equal or 1). */
export function broadcastsTo(small: readonly number[], big: readonly number[]): boolean {
  if (small.length > big.length) return false;
  const off = big.length - small.length;
  return small.every((d, i) => d === 1 || d === big[off + i]);
}

/** An optional elementwise weight that must broadcast to the input, cast to its dtype. */
export function broadcastWeight(loss: string, what: string, w: Tensor | null | undefined, input: Tensor): Tensor | null {
  if (w == null) return null;
  requireFloating(loss, what, w);
  if (!broadcastsTo(w.shape, input.shape)) {
    throw new RangeError(`${loss}: ${what} shape ${fmtShape(w.shape)} does not broadcast to input shape ${fmtShape(input.shape)}`);
  }
  return w.dtype === input.dtype ? w : w.to(input.dtype);
}

export function requireNumber(loss: string, what: string, v: number, ok: (v: number) => boolean, expected: string): number {
  if (typeof v !== 'number' || !ok(v)) throw new RangeError(`${loss}: ${what} must be ${expected}, got ${String(v)}`);
  return v;
}
