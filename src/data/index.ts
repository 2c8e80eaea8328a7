// The data layer: datasets and their file formats, image IO, transforms, loaders,
// samplers, splits, label noise, class weights and class regrouping.
export * from './dataset.js';
export * from './transforms/index.js';
export * from './loader.js';
export * from './samplers.js';
export * from './splits.js';
export * from './label-noise.js';
export * from './class-weights.js';
export * from './regroup.js';
export * from './image-io.js';
export * from './image-grid.js';
export * from './download.js';
export * from './datasets.js';
