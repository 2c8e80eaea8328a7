// The optim layer: optimizers and learning-rate schedules, with PyTorch's update rules.
export { Optimizer, type ParamGroup, type ParamGroupInput, type GroupDefaults, type ParamState, type StateValue, type SteppedState,
  type OptimizerStateDict, type SavedParamGroup } from './optimizer.js';
export { SGD, type SGDOptions, type SGDGroup, type SGDState } from './sgd.js';
export { Adam, type AdamOptions, type AdamGroup, type AdamState } from './adam.js';
export { AdamW, type AdamWOptions, type AdamWGroup, type AdamWState } from './adamw.js';
export { RMSprop, type RMSpropOptions, type RMSpropGroup, type RMSpropState } from './rmsprop.js';
export { Adadelta, type AdadeltaOptions, type AdadeltaGroup, type AdadeltaState } from './adadelta.js';
export { Adagrad, type AdagradOptions, type AdagradGroup, type AdagradState } from './adagrad.js';
export { LRScheduler, LambdaLR, type LRSchedule, type StepInterval } from './lr-scheduler.js';
export { StepLR, MultiStepLR, type StepLROptions, type MultiStepLROptions } from './step-lr.js';
export { CosineAnnealingLR, type CosineAnnealingLROptions } from './cosine-annealing-lr.js';
export { LinearLR, LinearWarmup, type LinearLROptions, type LinearWarmupOptions } from './linear-lr.js';
export { OneCycleLR, type OneCycleLROptions } from './one-cycle-lr.js';
export { SequentialLR, type SequentialLROptions } from './sequential-lr.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.js';
