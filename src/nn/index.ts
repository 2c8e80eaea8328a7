// The nn layer: Module, layers, losses, initialisation and summaries.
export * from './module.js';
export * from './losses.js';
export * from './layers/linear.js';
export * from './layers/conv.js';
export * from './layers/norm.js';
export * from './layers/pooling.js';
export * from './layers/activation.js';
export * from './layers/dropout.js';
export * from './layers/shape.js';
export * from './layers/upsample.js';
export * from './layers/container.js';
export * from './init.js';
export * as init from './init.js';
export * as functional from './functional.js';
export * from './summary.js';
