// Methods built on the trainer's contract: adversarial attacks and robustness evaluation,
// adversarial training, and explanations.
export * as attacks from './attacks/index.js';
export * as adversarialTraining from './adversarial-training/index.js';
export * as explain from './explain/index.js';
