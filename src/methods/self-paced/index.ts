// Self-paced learning: sample weights from the losses and a growing lambda, as a callback.
export { SELF_PACED_WEIGHTINGS, selfPacedWeights, checkWeightingParams, type SelfPacedWeighting, type WeightingParams } from './weightings.js';
export { type SelfPacedPace, checkPace, admittedFraction, lossQuantile } from './pace.js';
export { SelfPacedLearning, type SelfPacedOptions, type SelfPacedEpochRecord } from './self-paced-learning.js';
