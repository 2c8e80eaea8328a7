// Adversarial attacks on image classifiers in [0, 1] pixel space, with the model's input
// normalisation applied inside, and robustness evaluation over budgets.
export { Victim, type InputNormalization } from './victim.js';
export { type AttackOptions, type AttackTarget, type Norm, victimOf } from './attack-options.js';
export { perSampleNorm, project, steepestDirection, randomStart, attackLoss, margin, fooled } from './perturbation.js';
export { fgsm, fgsmRandomStart, type FgsmOptions } from './fgsm.js';
export { pgd, bim, type PgdOptions } from './pgd.js';
export { miFgsm, type MiFgsmOptions } from './mi-fgsm.js';
export { deepFool, type DeepFoolOptions } from './deepfool.js';
export { carliniWagnerL2, type CarliniWagnerOptions } from './carlini-wagner.js';
export { apgd, type ApgdOptions } from './apgd.js';
export { squareAttack, type SquareOptions } from './square.js';
export { registerAttack, getAttack, listAttacks, type AttackEntry, type AttackFunction, type NamedAttackOptions } from './registry.js';
export { evaluateRobustness, type RobustnessOptions, type RobustnessPoint, type RobustnessResult } from './robustness.js';
export { writeAdversarialGrid, amplifiedPerturbation } from './adversarial-grid.js';
export { writeAttackReport, ROBUSTNESS_JSON, type AttackReportInputs } from './attack-report.js';
