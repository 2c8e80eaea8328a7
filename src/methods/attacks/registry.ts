// Attacks by name, for configs, benchmarks and `visionlab attack --attack NAME`: each
// entry says which norm its epsilon is measured in and whether it needs gradients.
import type { Tensor } from '../../torch/index.js';
import type { AttackOptions, AttackTarget, Norm } from './attack-options.js';
import { fgsm, fgsmRandomStart } from './fgsm.js';
import { pgd, bim } from './pgd.js';
import { miFgsm } from './mi-fgsm.js';
import { deepFool } from './deepfool.js';
import { carliniWagnerL2 } from './carlini-wagner.js';
import { apgd } from './apgd.js';
import { squareAttack } from './square.js';

/** Options every attack by name accepts; each reads the ones it knows (steps, stepSize, restarts...). */
export interface NamedAttackOptions extends AttackOptions {
  steps?: number;
  stepSize?: number;
  restarts?: number;
  [option: string]: unknown;
}

export type AttackFunction = (target: AttackTarget, images: Tensor, labels: Tensor, opts: NamedAttackOptions) => Tensor;

export interface AttackEntry {
  name: string;
  description: string;
  /** The norm ε is measured in; 'none' for minimal-perturbation attacks that take no budget. */
  norm: Norm | 'none';
  /** False for black-box attacks that only query the model's outputs. */
  usesGradients: boolean;
  run: AttackFunction;
}

const entries = new Map<string, AttackEntry>();

/** Adds an attack under a name (lower case; '-' and '_' are ignored when looking up). */
export function registerAttack(entry: AttackEntry): void {
  const k = attackKey(entry.name);
  if (entries.has(k)) throw new Error(`registerAttack: an attack named '${entries.get(k)!.name}' is already registered`);
  entries.set(k, entry);
}

function attackKey(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

export function getAttack(name: string): AttackEntry {
  const e = entries.get(attackKey(String(name)));
  if (!e) throw new Error(`unknown attack '${name}' (attacks: ${listAttacks().join(', ')})`);
  return e;
}

export function listAttacks(): string[] {
  return [...entries.values()].map((e) => e.name);
}

registerAttack({ name: 'fgsm', description: 'fast gradient sign method, one step of ε', norm: 'linf', usesGradients: true, run: fgsm });
registerAttack({
  name: 'fgsm-rs', description: 'FGSM from a random start, step 1.25 ε (Wong et al. 2020)', norm: 'linf', usesGradients: true,
  run: fgsmRandomStart,
});
registerAttack({ name: 'bim', description: 'basic iterative method: sign steps of ε / steps from the clean image', norm: 'linf', usesGradients: true, run: bim });
registerAttack({
  name: 'pgd', description: 'projected gradient descent, L-infinity, random start', norm: 'linf', usesGradients: true,
  run: (t, x, y, o) => pgd(t, x, y, { ...o, norm: 'linf' }),
});
registerAttack({
  name: 'pgd-l2', description: 'projected gradient descent, L2, random start', norm: 'l2', usesGradients: true,
  run: (t, x, y, o) => pgd(t, x, y, { ...o, norm: 'l2' }),
});
registerAttack({ name: 'mi-fgsm', description: 'momentum iterative FGSM (Dong et al. 2018)', norm: 'linf', usesGradients: true, run: miFgsm });
registerAttack({
  name: 'deepfool', description: 'DeepFool: the nearest linearised decision boundary, L2, no budget', norm: 'none', usesGradients: true,
  run: (t, x, y, o) => deepFool(t, x, y, { ...o, ...(typeof o.steps === 'number' ? { maxIterations: o.steps } : {}) }),
});
registerAttack({
  name: 'cw-l2', description: 'Carlini-Wagner L2 with a binary search over c, no budget', norm: 'none', usesGradients: true,
  run: (t, x, y, o) => carliniWagnerL2(t, x, y, o),
});
registerAttack({ name: 'apgd-ce', description: 'APGD with cross-entropy, L-infinity, no step size to tune (Croce & Hein 2020)', norm: 'linf', usesGradients: true, run: apgd });
registerAttack({
  name: 'square', description: 'Square attack, L-infinity, black-box random search on the logits', norm: 'linf', usesGradients: false,
  run: (t, x, y, o) => squareAttack(t, x, y, { ...o, ...(typeof o.steps === 'number' ? { queries: o.steps } : {}) }),
});
