// Run reports: figures (Vega-Lite → PNG) and the self-contained report.html.
export {
  learningCurvesPng, confusionMatrixPng, perClassAccuracyPng, scatterPng, robustnessCurvePng, comparisonBarPng,
  type ChartOptions, type HistoryEntry, type ComparisonRow,
} from './charts.js';
export { vegaLiteToPng, vegaLiteToSvg, type PixelSize } from './render.js';
export { writeReport, renderReportHtml, type ReportContent, type ReportFigure } from './html.js';
export { predictionGridPng, type PredictionGridOptions } from './prediction-grid.js';
export { writeStandardFigures, type StandardFigureInputs } from './figures.js';
export { segmentationOverlayPng, paintMasks, type OverlayOptions } from './segmentation-overlays.js';
