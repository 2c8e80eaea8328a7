// Learning from noisy labels: robust losses, forward loss correction, co-teaching,
// label cleaning and confident learning, on the trainer's task and callback contract.
export { NOISY_LABEL_LOSSES, noisyLabelLoss, type NoisyLabelLossName, type NoisyLabelLossOptions } from './robust-losses.js';
export { forwardCorrectedLoss, estimateTransitionFromAnchors, checkTransition } from './forward-correction.js';
export { ForwardCorrectionTask, type ForwardCorrectionOptions } from './forward-correction-task.js';
export { CoTeaching, CoTeachingPair, coTeachingForgetRate, type CoTeachingOptions } from './co-teaching.js';
export { LabelCleaning, LabelCleaningModel, LabelCleaner, type LabelCleaningOptions } from './label-cleaning.js';
