// The model zoo: architectures built from nn/, a registry by name, transfer-learning
// helpers, weight penalties, the colour-histogram baseline and denoising autoencoders.
export type { ModelOptions } from './options.js';
export * from './transfer-layout.js';
export * from './conv-classifier.js';
export * from './mlp.js';
export * from './simple-cnn.js';
export * from './fashion-cnns.js';
export * from './fashion-vgg.js';
export * from './scene-cnn.js';
export * from './alexnet-like.js';
export * from './resnet.js';
export * from './vgg.js';
export * from './mobilenetv2.js';
export * from './regularization.js';
export * from './transfer.js';
export * from './color-histogram.js';
export * from './color-histogram-logreg.js';
export * from './conv-autoencoder.js';
export * from './dncnn.js';
export * from './unet-denoiser.js';
export * from './registry.js';
export { torchvisionInit, type TorchvisionInitOptions } from './init.js';
export * from './aspp.js';
export * from './deeplabv3plus.js';
export * from './deeplabv3.js';
export * from './unet.js';
import './segmentation-zoo.js';
export * from './multilabel-head.js';
