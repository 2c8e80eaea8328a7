// The torch layer: tensors, operators, generators, autograd, memory scopes and serialization.
export { Tensor, slice, type Scalar, type TensorOrScalar, type Shape, type IndexItem, type Slice } from './tensor.js';
export { type DType, isFloatingDType, itemSize } from './dtype.js';
export * from './creation.js';
export { Generator, liveGeneratorCount, type GeneratorOptions } from './generator.js';
export { TorchError, type TorchErrorArg } from './torch-error.js';
export { parseDevice, isDeviceString, formatDevice, type DeviceSpec, type DeviceType } from './device.js';
export { Layout, layoutCode, MemoryFormat, memoryFormatCode } from './enums.generated.js';
export { tidy, tidyAsync, keep, adopt, untracked, scopeSize } from './scope.js';
export { autocast, autocastState, inferenceMode, isInferenceMode, type AutocastOptions, type AutocastDeviceType } from './amp.js';
export { bf16Support, cpuFlags, type Bf16Support } from './hardware.js';
export { profile, profilerStart, profilerStop, summarizeEvents, type ProfileResult, type ProfileOptions, type OperatorStats } from './profiler.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled, grad, type GradOptions } from './autograd.js';
export * from './engine.js';
export { callOp, timeOpInLibtorch } from './call-op.js';
export * as ops from './ops.generated.js';
export { gradcheck, type GradcheckOptions } from './gradcheck.js';
export * from './serialize/index.js';
export * as distributed from './distributed/index.js';
