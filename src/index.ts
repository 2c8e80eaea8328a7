// visionlab: train, evaluate and attack image models from Node.js on libtorch.
export * as torch from './torch/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export * as metrics from './metrics/index.js';
export * as models from './models/index.js';
export * as train from './train/index.js';
export * as experiment from './experiment/index.js';
export * as methods from './methods/index.js';
