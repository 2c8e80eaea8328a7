// Learning from noisy labels: robust losses, forward loss correction, co-teaching,
// label cleaning and confident learning, on the trainer's task and callback contract.
export { NOISY_LABEL_LOSSES, noisyLabelLoss, type NoisyLabelLossName, type NoisyLabelLossOptions } from './robust-losses.js';
export { forwardCorrectedLoss, estimateTransitionFromAnchors, checkTransition } from './forward-correction.js';
export { ForwardCorrectionTask, type ForwardCorrectionOptions } from './forward-correction-task.js';
export { CoTeaching, CoTeachingPair, coTeachingForgetRate, type CoTeachingOptions } from './co-teaching.js';
export { LabelCleaning, LabelCleaningModel, LabelCleaner, type LabelCleaningOptions } from './label-cleaning.js';
export {
  confidentLearning, perClassThresholds, confidentJoint, calibrateConfidentJoint, estimateJoint, noiseMatrixFromJoint, findLabelIssues,
  issueDetectionScores, type ConfidentJoint, type ConfidentLearningResult, type LabelIssue, type IssueDetectionScores,
} from './confident-learning.js';
export { outOfFoldProbabilities, foldAssignment, type TrainAndPredict, type OutOfFoldOptions } from './cross-validation.js';
export {
  confidentLearningParts, crossValidatedConfidentLearning, confidentLearningSummary, type CrossValidatedOptions, type CrossValidatedResult,
} from './confident-learning-method.js';
export {
  writeLabelIssueFiles, labelIssuesCsv, noiseMatrixJson, estimatedNoiseRate, formatMatrix, LABEL_ISSUES_CSV, NOISE_MATRIX_JSON, LABEL_ISSUES_HEADER,
  type NoiseMatrixReport,
} from './label-issue-files.js';
export { writeLabelIssueGrid } from './label-issue-grid.js';
