// Experiments from config files: the schema and its validation, the runner, and
// reopening finished runs.
export {
  validateConfig, DATASET_KINDS, OPTIMIZERS, SCHEDULES, TRANSFORM_OPTIONS,
  type ExperimentConfig, type DatasetConfig, type DatasetKind, type SplitConfig, type LabelNoiseConfig, type RegroupConfig,
  type TransformSpec, type TransformsConfig, type NormalizeStats, type ModelConfig, type OptimizerConfig, type OptimizerName,
  type ScheduleConfig, type ScheduleName, type EarlyStoppingConfig,
} from './config.js';
export { NOISE_KINDS, type NoiseConfig, type ReconstructionLossConfig } from './config.js';
export { buildNoise } from './build-noise.js';
export { METHODS, type MethodConfig } from './config.js';
export { ADVERSARIAL_METHODS, type AdversarialConfig } from './config.js';
export { type TrainingSetup, type TrainingMethods } from './run-experiment.js';
export { ConfigError } from './config-check.js';
export { loadConfigFile, parseConfigText, type LoadedConfig } from './load-config.js';
export { loadExperimentData, type ExperimentData } from './experiment-data.js';
export { buildTransform, resolveNormalize, transformedShape } from './build-transforms.js';
export { buildModel, createConfiguredModel, type ModelShape } from './build-model.js';
export { buildOptimizer, buildSchedule } from './build-optimizer.js';
export { runExperiment, type RunExperimentOptions, type ExperimentResult, type ReportFigureInputs } from './run-experiment.js';
export { createMethodSetup, type MethodParts, type MethodSetup, type StandaloneSetupOptions } from './method-setup.js';
export { openRun, runTestLoader, runClassificationTask, type OpenedRun } from './open-run.js';
export { loadPredictiveModel, type PredictiveModel } from './predictive-model.js';
export { readRunInfo, readRunConfig, type RunInfo, RUN_INFO_FILE, CONFIG_FILE, WEIGHTS_FILE } from './run-files.js';
export { RelabelledDataset } from './relabelled-dataset.js';
export { summarizeRun, comparisonMarkdown, comparisonCsv, comparisonTable, type RunSummary } from './run-comparison.js';
