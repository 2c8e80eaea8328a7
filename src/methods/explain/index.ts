// Explanations of a classifier's decisions as heat maps over the input: vanilla gradient,
// SmoothGrad, Integrated Gradients and Grad-CAM, and overlays to look at them.
export {
  vanillaGradient, smoothGrad, integratedGradients, attributionMap, classesToExplain,
  type ExplainOptions, type SmoothGradOptions, type IntegratedGradientsOptions,
} from './gradients.js';
export { gradCam, lastConvolution, type GradCamOptions } from './grad-cam.js';
export { colorize, heatmapOverlay } from './heatmap.js';
export { gradCamFigure, type GradCamFigureOptions } from './grad-cam-figure.js';
