// The train layer: fit/evaluate/predict, callbacks, checkpoints with exact resume, run
// directories and run reports.
export * from './history.js';
export * from './callback.js';
export * from './loss.js';
export * from './task.js';
export { ClassificationTask, classification, type ClassificationTaskOptions } from './tasks/classification.js';
export { ReconstructionTask, reconstruction, clampWhereTargetOnBound, type ReconstructionTaskOptions } from './tasks/reconstruction.js';
export { reconstructionLoss, RECONSTRUCTION_LOSSES, type ReconstructionLossName, type ReconstructionLossSpec, type PerImageLoss } from './reconstruction-loss.js';
export { resolveTask } from './tasks/resolve.js';
export { SegmentationTask, segmentation, ConfusionMetrics, type SegmentationTaskOptions } from './tasks/segmentation.js';
export { SEGMENTATION_LOSSES, type SegmentationLossName } from './tasks/segmentation-loss.js';
export { MultilabelTask, multilabel, MultilabelMetrics, type MultilabelTaskOptions } from './tasks/multilabel.js';
export { TestTimeAugmentation, withTestTimeAugmentation, ttaViews, TTA_VIEWS, type TtaView } from './tasks/test-time-augmentation.js';
export { clipGradNorm } from './grad-clip.js';
export { fit, type FitOptions } from './fit.js';
export {
  evaluate, predict, inEvalMode, type EvaluateOptions, type EvaluateResult, type PredictOptions, type PredictResult,
} from './evaluate.js';
export * from './checkpoint.js';
export { snapshotWeights, restoreWeights, disposeSnapshot } from './weights-snapshot.js';
export * from './features.js';
export * from './run-dir.js';
export * from './run-report.js';
export * from './run-samples.js';
export * from './reconstruction-report.js';
export * from './noise-sweep.js';
export * from './callbacks/early-stopping.js';
export * from './callbacks/model-checkpoint.js';
export * from './callbacks/metrics-logger.js';
export * from './callbacks/confusion-logger.js';
export * from './callbacks/progress-bar.js';
export * from './callbacks/lr-scheduler-callback.js';
export * from './callbacks/gradient-clipping.js';
export * from './callbacks/sample-weighting.js';
export * from './callbacks/operator-profiler.js';
export * from './precision.js';
export * from './memory-format.js';
export { GradScaler, type GradScalerOptions } from './grad-scaler.js';
export * from './report/index.js';
export * as distributed from './distributed/index.js';
export { writeSceneReport, type SceneReportOptions, type SceneReportResult } from './scene-report.js';
