// Robustness of a classifier over a list of budgets: accuracy under an attack at each ε
// (the robustness curve), per-class robust accuracy, the attack's success rate on the
// images the model got right, and the mean size of the perturbations it used.
import { tidy, noGrad, type Generator } from '../../torch/index.js';
import type { Module } from '../../nn/index.js';
import type { DataLoader } from '../../data/index.js';
import { inEvalMode } from '../../train/index.js';
import { Victim, type InputNormalization } from './victim.js';
import { getAttack, type AttackFunction, type NamedAttackOptions } from './registry.js';
import { perSampleNorm } from './perturbation.js';

export interface RobustnessOptions {
  /** An attack by name (see listAttacks) or a function. */
  attack: string | AttackFunction;
  /** Budgets in [0, 1] pixel units; 0 measures clean accuracy. */
  eps: readonly number[];
  /** Steps, step size, restarts... handed to the attack. */
  attackOptions?: Omit<NamedAttackOptions, 'eps' | 'normalization'>;
  /** Standardisation the loader's inputs carry (the attack works on the pixels behind them). */
  normalization?: InputNormalization | null;
  numClasses: number;
  generator?: Generator;
  /** Evaluate at most this many batches (quick looks). */
  maxBatches?: number;
  device?: string;
  /** Called after each batch with the number of images done. */
  onProgress?: (done: number) => void;
}

export interface RobustnessPoint {
  eps: number;
  accuracy: number;
  /** Accuracy per class (NaN for a class without test images). */
  perClassAccuracy: number[];
  /** Share of the images classified correctly before the attack that it turned wrong. */
  successRate: number;
  /** Mean L2 and L-infinity norms of the perturbations, over all images. */
  meanL2: number;
  meanLinf: number;
}

export interface RobustnessResult {
  attack: string;
  samples: number;
  cleanAccuracy: number;
  points: RobustnessPoint[];
}

interface Tally { correct: number[]; total: number[]; flipped: number; cleanRight: number; l2: number; linf: number }

function checkEps(eps: readonly number[]): void {
  if (!Array.isArray(eps) || eps.length === 0) throw new RangeError('evaluateRobustness: eps must be a non-empty list of budgets');
  eps.forEach((e, i) => {
    if (!(Number.isFinite(e) && e >= 0)) throw new RangeError(`evaluateRobustness: eps[${i}] must be a non-negative number in pixel units, got ${e}`);
  });
}

export async function evaluateRobustness(model: Module, data: DataLoader, opts: RobustnessOptions): Promise<RobustnessResult> {
  checkEps(opts.eps);
  const k = opts.numClasses;
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`evaluateRobustness: numClasses must be a positive integer, got ${k}`);
  const attack = typeof opts.attack === 'function' ? opts.attack : getAttack(opts.attack).run;
  const attackName = typeof opts.attack === 'function' ? opts.attack.name || 'custom' : getAttack(opts.attack).name;
  const device = opts.device ?? model.parameters()[0]?.device ?? 'cpu';
  const victim = new Victim(model, opts.normalization ?? null);
  const tallies: Tally[] = opts.eps.map(() => ({ correct: new Array<number>(k).fill(0), total: new Array<number>(k).fill(0), flipped: 0, cleanRight: 0, l2: 0, linf: 0 }));
  let clean = 0;
  let samples = 0;
  await inEvalMode(model, async () => {
    let b = 0;
    for await (const raw of data) {
      try {
        if (opts.maxBatches !== undefined && b >= opts.maxBatches) break;
        b++;
        tidy(() => {
          const x = victim.pixels(raw.inputs.to(device)).clamp(0, 1);
          const y = raw.targets.to(device);
          const labels = y.toFlatArray();
          const cleanPred = noGrad(() => victim.logits(x).argmax(1)).toFlatArray();
          opts.eps.forEach((eps, i) => tidy(() => {
            const adv = eps === 0 ? x : attack(victim, x, y, {
              ...opts.attackOptions, eps, ...(opts.generator ? { generator: opts.generator } : {}),
            });
            const pred = noGrad(() => victim.logits(adv).argmax(1)).toFlatArray();
            const delta = adv.sub(x);
            const t = tallies[i]!;
            t.l2 += perSampleNorm(delta, 'l2').sum().item();
            t.linf += perSampleNorm(delta, 'linf').sum().item();
            labels.forEach((c, j) => {
              t.total[c]! += 1;
              if (pred[j] === c) t.correct[c]! += 1;
              if (cleanPred[j] === c) {
                t.cleanRight++;
                if (pred[j] !== c) t.flipped++;
              }
            });
          }));
          labels.forEach((c, j) => { if (cleanPred[j] === c) clean++; });
          samples += labels.length;
        });
        opts.onProgress?.(samples);
      } finally {
        raw.inputs.dispose();
        raw.targets.dispose();
      }
    }
  });
  if (samples === 0) throw new Error('evaluateRobustness: the data loader yielded no batches');
  const points = opts.eps.map((eps, i): RobustnessPoint => {
    const t = tallies[i]!;
    return {
      eps,
      accuracy: t.correct.reduce((a, v) => a + v, 0) / samples,
      perClassAccuracy: t.correct.map((c, j) => (t.total[j]! > 0 ? c / t.total[j]! : NaN)),
      successRate: t.cleanRight > 0 ? t.flipped / t.cleanRight : NaN,
      meanL2: t.l2 / samples,
      meanLinf: t.linf / samples,
    };
  });
  return { attack: attackName, samples, cleanAccuracy: clean / samples, points };
}
