// Run reports: figures (Vega-Lite → PNG, image grids) and the self-contained report.html.
export {
  learningCurvesPng, confusionMatrixPng, perClassAccuracyPng, scatterPng, robustnessCurvePng, comparisonBarPng, psnrByNoiseLevelPng,
  seriesPng, heatmapPng, precisionRecallPng, type SeriesChartOptions,
  type ChartOptions, type HistoryEntry, type ComparisonRow,
} from './charts.js';
export { vegaLiteToPng, vegaLiteToSvg, type PixelSize } from './render.js';
export { writeReport, renderReportHtml, type ReportContent, type ReportFigure } from './html.js';
export { predictionGridPng, type PredictionGridOptions } from './prediction-grid.js';
export { writeStandardFigures, figureSaver, type SaveFigure, type StandardFigureInputs } from './figures.js';
export { denoisingGridPng, type DenoisingGridOptions } from './denoising-grid.js';
export { segmentationOverlayPng, paintMasks, type OverlayOptions } from './segmentation-overlays.js';
