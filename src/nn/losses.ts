// Loss functions and loss modules, matching torch.nn.functional's and torch.nn's numbers.
export { type Reduction } from './losses/reduction.js';
export { type CrossEntropyOptions, type NLLLossOptions, crossEntropy, nllLoss } from './losses/cross-entropy.js';
export { type BCELossOptions, type BCEWithLogitsLossOptions, binaryCrossEntropy, binaryCrossEntropyWithLogits } from './losses/binary.js';
export { type RegressionLossOptions, type SmoothL1LossOptions, type HuberLossOptions, mseLoss, l1Loss, smoothL1Loss, huberLoss } from './losses/regression.js';
export { type KLDivReduction, type KLDivLossOptions, klDiv } from './losses/kl-div.js';
export { weightedMean } from './losses/weighted-mean.js';
export {
  type GeneralizedCrossEntropyOptions, type SymmetricCrossEntropyOptions, type BootstrappingLossOptions,
  generalizedCrossEntropy, symmetricCrossEntropy, bootstrappingLoss, RCE_LOG_ZERO,
} from './losses/noise-robust.js';
export {
  Loss, CrossEntropyLoss, NLLLoss, BCEWithLogitsLoss, BCELoss, MSELoss, L1Loss, SmoothL1Loss, HuberLoss, KLDivLoss,
} from './losses/modules.js';
export {
  softDiceLoss, softDiceLossMultilabel, focalLoss, asymmetricLoss, combineLosses,
  type SoftDiceOptions, type FocalOptions, type AsymmetricOptions,
} from './losses/dense.js';
export { lovaszSoftmax, type LovaszSoftmaxOptions } from './losses/lovasz.js';
