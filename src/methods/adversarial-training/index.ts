// Adversarial training on the trainer's contract: a task that trains on attacked images
// (fast FGSM with random start, PGD, TRADES) and a guard against catastrophic overfitting.
export {
  AdversarialTrainingTask, ADVERSARIAL_METHODS, checkAdversarialOptions, type AdversarialMethod, type AdversarialTrainingOptions,
} from './adversarial-task.js';
export { tradesAttack, tradesDivergence, type TradesAttackOptions } from './trades-attack.js';
export { CatastrophicOverfittingGuard, type OverfittingGuardOptions } from './overfitting-guard.js';
export { adversarialTraining } from './from-config.js';
