// The end-of-run report: test metrics, classification report, confusion matrix, accuracy
// per class, an embedding of penultimate features, a grid of test predictions and the
// learning curves, written into the run directory next to report.html.
import { type Tensor, tidy, keep, cat, isFloatingDType } from '../torch/index.js';
import type { Module } from '../nn/index.js';
import type { DataLoader } from '../data/index.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { classificationReport, confusionMatrix, perClassAccuracy, tsne, pca, type ClassificationReport } from '../metrics/index.js';
import {
  learningCurvesPng, confusionMatrixPng, perClassAccuracyPng, scatterPng, predictionGridPng, writeReport, type ReportFigure,
  figureSaver, type SaveFigure,
} from './report/index.js';
import type { RunDir } from './run-dir.js';
import { History, historyForCharts } from './history.js';
import { evaluate, type EvaluateResult } from './evaluate.js';
import { extractFeatures } from './features.js';
import type { LossSpec } from './loss.js';
import { writeSamples } from './run-samples.js';

export interface RunReportOptions {
  model: Module;
  testData: DataLoader;
  classNames: readonly string[];
  history?: History;
  /** Metric names of the training task, drawn in the learning curves (default: accuracy). */
  metricNames?: readonly string[];
  config?: unknown;
  /** Test images to show with their predictions, in test-loader order, uint8 or float in [0, 1]; default: the loader's first inputs. */
  images?: Tensor;
  loss?: LossSpec;
  /**
   * The test set's evaluation with `probs: true` (with any task, e.g. test-time
   * augmentation), where the caller has it already: the report then does not run the model
   * over the test set again, and `loss` and `device` are not used. The caller disposes its probabilities.
   */
  evaluation?: EvaluateResult & { probs: Tensor };
  device?: string;
  title?: string;
  /** Points embedded with t-SNE (default 1000) and its iterations (default 300). */
  embeddingPoints?: number;
  tsneIterations?: number;
  /** Images in the prediction grid (default 36). */
  gridImages?: number;
  /** More figures, shown after the standard ones (a training method's records). */
  extraFigures?: readonly ExtraFigure[];
}

/** A figure made elsewhere: its file name in the run directory, caption and PNG bytes. */
export interface ExtraFigure { file: string; title: string; png: Buffer }

export interface RunMetrics {
  test_accuracy: number;
  test_loss: number;
  macro_f1: number;
  weighted_f1: number;
  num_test_samples: number;
  per_class: Record<string, { accuracy: number | null; precision: number; recall: number; f1: number; support: number }>;
}

export interface RunReportResult {
  metrics: RunMetrics;
  classificationReport: ClassificationReport;
  confusion: number[][];
  files: string[];
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function writeRunReport(run: RunDir, opts: RunReportOptions): Promise<RunReportResult> {
  const { model, testData } = opts;
  if (opts.classNames.length === 0) throw new RangeError('writeRunReport: classNames is empty');
  const files: string[] = [];
  const figures: ReportFigure[] = [];
  const saveFigure = figureSaver(run.path, files, figures);

  if (opts.evaluation) return reportFromEvaluation(run, opts, opts.evaluation, files, figures, saveFigure);
  const ev = await evaluate(model, testData, { probs: true, ...(opts.loss ? { loss: opts.loss } : {}), ...(opts.device ? { device: opts.device } : {}) });
  try {
    return await reportFromEvaluation(run, opts, ev as typeof ev & { probs: Tensor }, files, figures, saveFigure);
  } finally {
    ev.probs?.dispose();
  }
}

async function reportFromEvaluation(
  run: RunDir, opts: RunReportOptions, ev: EvaluateResult & { probs: Tensor }, files: string[], figures: ReportFigure[],
  saveFigure: SaveFigure,
): Promise<RunReportResult> {
  const { classNames } = opts;
  const k = classNames.length;
  if (ev.yTrue.length === 0) throw new Error('writeRunReport: the test data has no class-index targets to report on');
  const report = classificationReport(ev.yTrue, ev.yPred, classNames, { digits: 4 });
  const confusion = confusionMatrix(ev.yTrue, ev.yPred, k);
  const perClass = perClassAccuracy(ev.yTrue, ev.yPred, k);
  const metrics: RunMetrics = {
    test_accuracy: ev.accuracy,
    test_loss: ev.loss,
    macro_f1: report.macroAvg.f1,
    weighted_f1: report.weightedAvg.f1,
    num_test_samples: ev.yTrue.length,
    per_class: Object.fromEntries(classNames.map((name, c) => [name, {
      accuracy: Number.isFinite(perClass[c]) ? perClass[c]! : null,
      precision: report.classes[c]!.precision, recall: report.classes[c]!.recall, f1: report.classes[c]!.f1, support: report.classes[c]!.support,
    }])),
  };
  await writeFileAtomic(run.metricsJson, `${JSON.stringify(metrics, null, 2)}\n`, { createParentDir: true });
  files.push('metrics.json');

  const history = opts.history ?? run.readHistory();
  if (history.length > 0) await saveFigure('learning_curves.png', 'Learning curves', await learningCurvesPng(historyForCharts(history, opts.metricNames)));
  await saveFigure('confusion_matrix.png', 'Confusion matrix (share of each true class)', await confusionMatrixPng(confusion, classNames, { normalize: true }));
  await saveFigure('per_class_accuracy.png', 'Accuracy per class', await perClassAccuracyPng(perClass, classNames));

  const samples = Math.min(ev.yTrue.length, opts.embeddingPoints ?? 1000);
  const gridImages = Math.min(opts.gridImages ?? 36, ev.yPred.length);
  const images = await firstImages(opts, Math.max(samples, gridImages));
  try {
    const layouts = await writeEmbedding(run, opts, ev, files, saveFigure);
    files.push(...await writeSamples(run, { classNames, yTrue: ev.yTrue, probs: ev.probs, images, count: samples, ...layouts }));
    await writePredictionGrid(run, opts, images, ev.yTrue, ev.yPred, gridImages, files, figures);
  } finally {
    images.dispose();
  }
  for (const f of opts.extraFigures ?? []) await saveFigure(f.file, f.title, f.png);

  await writeReport(run.path, {
    title: opts.title ?? `Run ${run.name}`,
    ...(opts.config !== undefined ? { config: opts.config } : {}),
    ...(history.length > 0 ? { history: historyForCharts(history, opts.metricNames) } : {}),
    metrics: { test_accuracy: metrics.test_accuracy, test_loss: metrics.test_loss, macro_f1: metrics.macro_f1, test_samples: metrics.num_test_samples },
    classificationReport: report,
    figures,
  });
  files.push('report.html');
  return { metrics, classificationReport: report, confusion, files };
}

/**
 * embedding.csv: the t-SNE layout of the first test samples' penultimate features, one row
 * per sample (x, y, true label, predicted label, both class names), which embedding.png
 * draws. The features themselves are not written: extractFeatures gives them back.
 */
async function writeEmbedding(
  run: RunDir, opts: RunReportOptions, ev: { yTrue: Int32Array; yPred: Int32Array }, files: string[],
  saveFigure: SaveFigure,
): Promise<{ tsne?: Float32Array; pca?: Float32Array }> {
  const n = Math.min(ev.yTrue.length, opts.embeddingPoints ?? 1000);
  if (n < 5) return {}; // too few points for t-SNE
  const { features, labels } = await extractFeatures(opts.model, opts.testData, { maxSamples: n, ...(opts.device ? { device: opts.device } : {}) });
  let points: Float32Array;
  let linear: Float32Array;
  try {
    for (let i = 0; i < n; i++) {
      if (labels[i] !== ev.yTrue[i]) throw new Error(`writeRunReport: sample ${i} has label ${labels[i]} in the features but ${ev.yTrue[i]} in the evaluation (the test loader changed its order)`);
    }
    const sub = tidy(() => keep(features.to('float32').contiguous()));
    try {
      points = tsne(sub, { perplexity: Math.min(30, Math.floor((n - 1) / 3)), iterations: opts.tsneIterations ?? 300, seed: 0 });
      linear = pca(sub, Math.min(2, sub.shape[1]!));
    } finally {
      sub.dispose();
    }
  } finally {
    features.dispose();
  }
  const name = (c: number) => csvField(opts.classNames[c] ?? String(c));
  const lines = Array.from({ length: n }, (_, i) => {
    const y = ev.yTrue[i]!, p = ev.yPred[i]!;
    return `${points[2 * i]},${points[2 * i + 1]},${y},${p},${name(y)},${name(p)}`;
  });
  await writeFileAtomic(run.file('embedding.csv'), `x,y,label,predicted,class,predicted_class\n${lines.join('\n')}\n`, { createParentDir: true });
  files.push('embedding.csv');
  await saveFigure('embedding.png', 'Penultimate-layer features of test images, embedded with t-SNE', await scatterPng(points, labels.subarray(0, n), opts.classNames));
  return { tsne: points, ...(linear.length === 2 * n ? { pca: linear } : {}) };
}

/** The first `count` test images, displayable: opts.images, or the loader's inputs stretched to [0, 1]. */
async function firstImages(opts: RunReportOptions, count: number): Promise<Tensor> {
  if (opts.images) return tidy(() => keep(opts.images!.narrow(0, 0, Math.min(count, opts.images!.shape[0]!)).clone()));
  const parts: Tensor[] = [];
  let have = 0;
  for await (const batch of opts.testData.iterate(0)) {
    parts.push(keep(batch.inputs.narrow(0, 0, Math.min(batch.inputs.shape[0]!, count - have)).clone()));
    have += parts[parts.length - 1]!.shape[0]!;
    batch.inputs.dispose();
    batch.targets.dispose();
    if (have >= count) break;
  }
  const images = tidy(() => keep(displayable(cat(parts))));
  for (const p of parts) p.dispose();
  return images;
}

async function writePredictionGrid(
  run: RunDir, opts: RunReportOptions, images: Tensor, yTrue: Int32Array, yPred: Int32Array, want: number, files: string[], figures: ReportFigure[],
): Promise<void> {
  const grid = images.narrow(0, 0, Math.min(want, images.shape[0]!));
  try {
    const n = grid.shape[0]!;
    await predictionGridPng(run.file('predictions.png'), grid, yTrue.subarray(0, n), yPred.subarray(0, n), opts.classNames, { maxImages: n });
    files.push('predictions.png');
    figures.push({ name: 'Test predictions (green right, red wrong: predicted≠true)', file: 'predictions.png' });
  } finally {
    grid.dispose();
  }
}

/** Loader inputs may be normalised (mean/std): stretch them back to [0, 1] for display. */
function displayable(x: Tensor): Tensor {
  if (!isFloatingDType(x.dtype)) return x;
  const lo = x.min().item();
  const hi = x.max().item();
  if (lo >= 0 && hi <= 1) return x;
  return x.sub(lo).div(Math.max(hi - lo, 1e-12));
}
