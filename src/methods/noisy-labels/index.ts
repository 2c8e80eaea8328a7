// Learning from noisy labels: robust losses, forward loss correction, co-teaching,
// label cleaning and confident learning, on the trainer's task and callback contract.
export { NOISY_LABEL_LOSSES, noisyLabelLoss, type NoisyLabelLossName, type NoisyLabelLossOptions } from './robust-losses.js';
export { forwardCorrectedLoss, estimateTransitionFromAnchors, checkTransition } from './forward-correction.js';
export { ForwardCorrectionTask, type ForwardCorrectionOptions } from './forward-correction-task.js';
