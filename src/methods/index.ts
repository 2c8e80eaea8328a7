// Methods on the trainer's contract: noisy labels and self-paced learning, adversarial
// attacks and robustness evaluation, adversarial training, and explanations.
export * from './noisy-labels/index.js';
export * from './self-paced/index.js';
export { buildMethod } from './build-method.js';
export * as attacks from './attacks/index.js';
export * as adversarialTraining from './adversarial-training/index.js';
export * as explain from './explain/index.js';
