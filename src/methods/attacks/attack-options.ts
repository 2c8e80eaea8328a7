// What every attack is told and the checks it makes before it starts: the budget
// (epsilon in [0, 1] pixel units), whether labels are the true classes (untargeted: move
// away from them) or targets (move towards them), the model's input normalisation and
// the generator random starts draw from.
import type { Tensor, Generator } from '../../torch/index.js';
import type { Module } from '../../nn/index.js';
import { Victim, type InputNormalization } from './victim.js';

export type Norm = 'linf' | 'l2';

export interface AttackOptions {
  /** Perturbation budget in [0, 1] pixel units (L-infinity: per pixel; L2: per image). */
  eps: number;
  /** Labels are target classes to reach instead of true classes to leave. Default false. */
  targeted?: boolean;
  /** Standardisation the model expects, applied inside the attack. Ignored when the target is a Victim. */
  normalization?: InputNormalization | null;
  /** Random starts and random search draw from it (default: libtorch's global generator). */
  generator?: Generator;
}

export type AttackTarget = Module | Victim;

export function victimOf(target: AttackTarget, normalization?: InputNormalization | null): Victim {
  return target instanceof Victim ? target : new Victim(target, normalization ?? null);
}

/** Checks images, labels and epsilon; `who` names the attack in messages. */
export function checkAttackInputs(who: string, images: Tensor, labels: Tensor, eps: number, opts: { epsMayBeZero?: boolean } = {}): void {
  if (images.ndim !== 4) throw new RangeError(`${who}: images must be N×C×H×W in [0, 1], got shape [${images.shape.join(', ')}]`);
  if (!images.dtype.startsWith('float')) throw new TypeError(`${who}: images must be floating point in [0, 1], got ${images.dtype} (divide uint8 images by 255)`);
  if (labels.ndim !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new RangeError(`${who}: labels must be [N] = [${images.shape[0]}] class indices, got shape [${labels.shape.join(', ')}]`);
  }
  if (labels.dtype.startsWith('float')) throw new TypeError(`${who}: labels must be integer class indices, got ${labels.dtype}`);
  const ok = Number.isFinite(eps) && (opts.epsMayBeZero ? eps >= 0 : eps > 0);
  if (!ok) throw new RangeError(`${who}: eps must be a ${opts.epsMayBeZero ? 'non-negative' : 'positive'} number in pixel units ([0, 1] images), got ${eps}`);
}

export function positiveInteger(who: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${who}: ${name} must be a positive integer, got ${v}`);
  return v;
}

export function positiveNumber(who: string, name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${who}: ${name} must be a positive number, got ${v}`);
  return v;
}
