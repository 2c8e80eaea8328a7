// Metrics: classification, multi-label, segmentation, reconstruction, run-length encoding and t-SNE.
export { type LabelsLike, type MatrixLike } from './inputs.js';
export { confusionMatrix, normalizeConfusion, classCounts, type ConfusionMatrix, type ClassCounts } from './confusion.js';
export {
  accuracy, topKAccuracy, perClassAccuracy, precisionRecallF1, logLoss,
  type PrecisionRecallF1, type AveragedScores,
} from './classification.js';
export { classificationReport, formatFixed, type ClassificationReport, type ReportRow } from './report-table.js';
export {
  decideLabels, multilabelScores, selectThresholds, type DecisionOptions, type MultilabelScores, type ThresholdSelection,
} from './multilabel-thresholds.js';
export { hammingLoss, averagePrecision, binaryAveragePrecision, precisionRecallCurve, meanAveragePrecision, f1AtThreshold } from './multilabel.js';
export {
  SegmentationMeter, segmentationScores, scoresFromConfusion, perClassIoU, meanIoU, pixelAccuracy,
  type SegmentationOptions, type SegmentationScores,
} from './segmentation.js';
export { rleEncode, rleDecode, type PixelOrder, type BinaryMask } from './rle.js';
export { tsne, tsneAffinities, type TsneOptions } from './tsne.js';
export { pca } from './pca.js';
export {
  msePer, maePer, psnrPer, ssimPer, gaussianWindow1d, checkImagePair, type SsimOptions, type PsnrOptions,
} from './reconstruction.js';
export { ReconstructionMeter, RECONSTRUCTION_METRICS, reconstructionMetricNames, type ReconstructionMetric, type ReconstructionMeterOptions } from './reconstruction-meter.js';
export { encodeSubmission, decodeSubmission, SUBMISSION_HEADER, type SubmissionEntry, type DecodedSubmission } from './submission.js';
