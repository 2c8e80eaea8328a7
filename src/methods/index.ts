// Methods on the trainer's contract: noisy labels and self-paced learning.
export * from './noisy-labels/index.js';
export * from './self-paced/index.js';
export { buildMethod } from './build-method.js';
