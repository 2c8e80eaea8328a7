// Batch transforms: composable, seeded, one call per N×C×H×W batch.
export { type Transform, type ImageMaskPair, type RandomOptions, BaseTransform, Compose, compose } from './transform.js';
export { Rng, deriveSeed } from './rng.js';
export { seededRandn, seededRand, seededPoisson } from './torch-random.js';
export { type Size2, toUnitFloat } from './pixels.js';
export { ToFloat, toFloat } from './to-float.js';
export { Normalize, normalize, computeMeanStd, type MeanStd } from './normalize.js';
export { Resize, resize, resizedShape, type ResizeOptions, type Interpolation } from './resize.js';
export { CenterCrop, centerCrop, crop, RandomCrop, cropPerSample, type RandomCropOptions, type PaddingMode } from './crop.js';
export { RandomResizedCrop, randomResizedCropBox, type RandomResizedCropOptions, type CropBox } from './resized-crop.js';
export { RandomHorizontalFlip, RandomVerticalFlip, hflip, vflip } from './flip.js';
export { RandomAffine, RandomRotation, affine, rotate, warpPerSample, inverseAffineMatrix, type AffineParams, type WarpOptions, type RandomAffineOptions } from './affine.js';
export { sampleWithTheta, type GridSampleOptions } from './grid.js';
export { RandomErasing, Cutout, eraseBoxes, boxMask, type EraseValue, type RandomErasingOptions, type CutoutOptions } from './erasing.js';
export { GaussianNoise, type GaussianNoiseOptions } from './noise.js';
export { ColorJitter, grayscale, adjustBrightness, adjustContrast, adjustSaturation, type ColorJitterOptions } from './color-jitter.js';
export {
  NoiseModel, AdditiveGaussianNoise, SaltAndPepperNoise, PoissonNoise, RandomMasking,
  type NoisyPair, type NoiseModelOptions, type SaltAndPepperOptions, type RandomMaskingOptions,
} from './noise-models.js';
