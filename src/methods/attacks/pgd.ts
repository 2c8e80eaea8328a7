// Projected gradient descent (Madry et al. 2018) in L-infinity or L2: steps of the
// steepest ascent of the loss from a random point of the epsilon ball, each projected
// back onto the ball and [0, 1]. Restarts run it again from new random points and keep,
// per image, the first run that fools the model. BIM (Kurakin et al. 2017) is the same
// loop started at the clean image.
import { type Tensor, tidy, where } from '../../torch/index.js';
import {
  type AttackOptions, type AttackTarget, type Norm, victimOf, checkAttackInputs, positiveInteger, positiveNumber,
} from './attack-options.js';
import { gradientAscent } from './gradient-ascent.js';
import { fooled, perSample, project, randomStart } from './perturbation.js';
import type { Victim } from './victim.js';

export interface PgdOptions extends AttackOptions {
  /** Default 'linf'. */
  norm?: Norm;
  /** Default 10. */
  steps?: number;
  /** Default 2.5 ε / steps (Madry et al.'s choice: the ball can be crossed and left again). */
  stepSize?: number;
  /** Start from a random point of the ball. Default true. */
  randomStart?: boolean;
  /** A fixed starting perturbation [N, C, H, W] instead of a random one (first run only). */
  init?: Tensor;
  /** Runs in all, each from a new random start; per image the first success is kept. Default 1. */
  restarts?: number;
}

interface Resolved { eps: number; norm: Norm; steps: number; stepSize: number; targeted: boolean; random: boolean; restarts: number }

function resolve(who: string, images: Tensor, labels: Tensor, o: PgdOptions, defaultStepFactor: number): Resolved {
  checkAttackInputs(who, images, labels, o.eps);
  const norm = o.norm ?? 'linf';
  if (norm !== 'linf' && norm !== 'l2') throw new RangeError(`${who}: norm must be 'linf' or 'l2', got ${JSON.stringify(norm)}`);
  const steps = positiveInteger(who, 'steps', o.steps ?? 10);
  const stepSize = positiveNumber(who, 'stepSize', o.stepSize ?? (defaultStepFactor * o.eps) / steps);
  const restarts = positiveInteger(who, 'restarts', o.restarts ?? 1);
  if (o.init && o.init.shape.join() !== images.shape.join()) {
    throw new RangeError(`${who}: init must have the images' shape [${images.shape.join(', ')}], got [${o.init.shape.join(', ')}]`);
  }
  return { eps: o.eps, norm, steps, stepSize, targeted: o.targeted ?? false, random: o.randomStart ?? true, restarts };
}

function run(victim: Victim, x: Tensor, labels: Tensor, r: Resolved, o: Pick<PgdOptions, 'init' | 'generator'>): Tensor {
  let best: Tensor | null = null;
  for (let attempt = 0; attempt < r.restarts; attempt++) {
    const adv = tidy(() => {
      const start = attempt === 0 && o.init ? project(x.add(o.init), x, r.eps, r.norm)
        : r.random ? randomStart(x, r.eps, r.norm, o.generator) : x;
      return gradientAscent(victim, x, labels, start, r);
    });
    if (best === null) {
      best = adv;
      continue;
    }
    const merged: Tensor = tidy(() => {
      // Keep the earlier result where it already fools the model, else take the new one.
      const done = fooled(victim.logits(best!).detach(), labels, r.targeted);
      return where(perSample(done, x).expandAs(x), best!, adv);
    });
    best.dispose();
    adv.dispose();
    best = merged;
  }
  return best!;
}

export function pgd(target: AttackTarget, images: Tensor, labels: Tensor, opts: PgdOptions): Tensor {
  const r = resolve('pgd', images, labels, opts, 2.5);
  return tidy(() => run(victimOf(target, opts.normalization), images.detach(), labels, r, opts));
}

/** Basic iterative method: PGD without a random start, steps of ε / steps by default. */
export function bim(target: AttackTarget, images: Tensor, labels: Tensor, opts: Omit<PgdOptions, 'randomStart' | 'init' | 'restarts'>): Tensor {
  const r = { ...resolve('bim', images, labels, opts, 1), random: false, restarts: 1 };
  return tidy(() => run(victimOf(target, opts.normalization), images.detach(), labels, r, {}));
}
