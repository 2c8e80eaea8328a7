// The torch layer: tensors, operators, autograd, memory scopes and serialization.
export { Tensor, slice, type Scalar, type TensorOrScalar, type Shape, type IndexItem, type Slice } from './tensor.js';
export { type DType, isFloatingDType, itemSize } from './dtype.js';
export * from './creation.js';
export { tidy, tidyAsync, keep, scopeSize } from './scope.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled, grad, type GradOptions } from './autograd.js';
export * from './engine.js';
export { callOp, timeOpInLibtorch } from './call-op.js';
export * as ops from './ops.generated.js';
export { gradcheck, type GradcheckOptions } from './gradcheck.js';
export * from './serialize/index.js';
