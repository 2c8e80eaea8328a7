// Options shared by every model factory, their validation, and the one shape question
// Keras-style models need answered at construction: how many features reach the first
// dense layer for a given input size.
import { zeros, tidy, noGrad } from '../torch/index.js';
import type { Module, AnyModule, ModuleClass } from '../nn/index.js';

export interface ModelOptions {
  /** Output classes (width of the final Linear layer). */
  numClasses?: number;
  /** Image channels (3 for RGB, 1 for greyscale). */
  inChannels?: number;
  /** Input height and width; one number for square images. */
  inputSize?: number | [number, number];
}

export function checkPositiveInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new RangeError(`${what} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

export function checkProbability(v: unknown, what: string): number {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new RangeError(`${what} must be in [0, 1), got ${String(v)}`);
  return v;
}

/** [height, width] from a number or a pair, checked. */
export function resolveInputSize(size: number | [number, number], who: string): [number, number] {
  const hw: unknown[] = Array.isArray(size) ? size : [size, size];
  if (hw.length !== 2) throw new RangeError(`${who}: inputSize must be a number or [height, width], got [${hw.join(', ')}]`);
  return [checkPositiveInt(hw[0], `${who}: inputSize height`), checkPositiveInt(hw[1], `${who}: inputSize width`)];
}

/**
 * Shape of `body`'s output for one image of [channels, h, w], found by running it on
 * zeros in eval mode (so batch-norm statistics are untouched). Reports input sizes the
 * body cannot take (pooling down to nothing) in the model's terms.
 */
export function probeOutputShape(body: Module, inChannels: number, hw: [number, number], who: string): number[] {
  const wasTraining = body.training;
  body.eval();
  try {
    return tidy(() => noGrad(() => body.call(zeros([1, inChannels, hw[0], hw[1]])).shape));
  } catch (e) {
    throw new RangeError(`${who}: input ${inChannels}×${hw[0]}×${hw[1]} does not fit this architecture ` +
      `(${(e as Error).message.split('\n')[0]})`, { cause: e });
  } finally {
    body.train(wasTraining);
  }
}

/** Number of features per sample after flattening a probed output shape. */
export function flatFeatures(shape: number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

/**
 * A registered child of the given class, looked up at call time. Models read children
 * through this rather than caching them in fields, so a head swapped by replaceHead is
 * the one that runs. `Module` as the class stands for any Tensor-to-Tensor layer.
 */
export function child<M extends AnyModule>(m: AnyModule, name: string, type: ModuleClass<M>): M {
  const c = m.getModule(name, type);
  if (!c) throw new Error(`${m.constructor.name} has no child '${name}'`);
  return c;
}
