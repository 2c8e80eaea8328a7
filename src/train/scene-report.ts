// The end-of-run report of a segmentation or multi-label run: learning curves of the
// task's metrics, then for segmentation the per-class IoU bars and overlays of test images
// (image | true mask | predicted mask), for multi-label the per-class average precision
// bars, precision-recall curves and the decision thresholds chosen on the validation
// split (maximum F1).
import { tidy } from '../torch/index.js';
import type { Module } from '../nn/index.js';
import type { DataLoader } from '../data/index.js';
import { averagePrecision, multilabelScores, selectThresholds, precisionRecallCurve } from '../metrics/index.js';
import { learningCurvesPng, perClassAccuracyPng, precisionRecallPng, segmentationOverlayPng, writeReport, figureSaver, type ReportFigure } from './report/index.js';
import { History, historyForCharts } from './history.js';
import { evaluate } from './evaluate.js';
import type { RunDir } from './run-dir.js';
import { SegmentationTask } from './tasks/segmentation.js';
import { MultilabelTask } from './tasks/multilabel.js';

export interface SceneReportOptions {
  model: Module;
  task: SegmentationTask | MultilabelTask;
  testData: DataLoader;
  /** Where multi-label thresholds are chosen; without it the task's own threshold stays. */
  valData?: DataLoader;
  /** Class names of the masks (segmentation) or of the labels (multi-label). */
  classNames: readonly string[];
  history?: History;
  config?: unknown;
  title?: string;
  /** Rows of the overlay figure (default 8). */
  overlayImages?: number;
}

export interface SceneReportResult {
  metrics: Record<string, number>;
  /** Per-class IoU (segmentation) or AP (multi-label); NaN where a class is absent. */
  perClass: number[];
  /** Multi-label: the thresholds chosen on validation data (one per label). */
  thresholds?: number[];
  files: string[];
}

/** Every row of a loader's targets and the task's predictions, in loader order. */
async function scoresAndTargets(model: Module, task: MultilabelTask, data: DataLoader): Promise<{ scores: number[][]; targets: number[][] }> {
  const r = await evaluate(model, data, { task, probs: true });
  const scores = r.probs!.toArray() as number[][];
  r.probs!.dispose();
  const targets: number[][] = [];
  for await (const b of data) {
    targets.push(...(b.targets.toArray() as number[][]));
    b.inputs.dispose();
    b.targets.dispose();
  }
  return { scores, targets };
}

export async function writeSceneReport(run: RunDir, opts: SceneReportOptions): Promise<SceneReportResult> {
  const { model, task, testData, classNames } = opts;
  const files: string[] = [];
  const figures: ReportFigure[] = [];
  const saveFigure = figureSaver(run.path, files, figures);
  const history = opts.history ?? new History();
  if (history.length > 0) await saveFigure('learning_curves.png', 'Learning curves', await learningCurvesPng(historyForCharts(history, task.metricNames)));
  const result: SceneReportResult = { metrics: {}, perClass: [], files };

  if (task instanceof SegmentationTask) {
    const r = await evaluate(model, testData, { task, probs: true });
    const probs = r.probs!;
    const n = testData.dataset.length;
    // The test loader keeps the dataset's order and masks, so the stored masks pair with probs.
    const all = testData.dataset.getBatch(Array.from({ length: n }, (_, i) => i));
    const confusion = task.createMetrics('cpu');
    try {
      tidy(() => confusion.update(probs, all));
      const s = confusion.scores();
      result.metrics = { test_loss: r.loss, ...prefixed(r.metrics) };
      result.perClass = s.iou;
      await saveFigure('per_class_iou.png', 'IoU per class (test)', await perClassAccuracyPng(s.iou, classNames, { title: 'IoU per class', valueTitle: 'IoU' }));
      const rows = Math.min(opts.overlayImages ?? 8, n);
      if (all.inputs.shape[1] === 3) {
        const pred = tidy(() => probs.narrow(0, 0, rows).argmax(1));
        try {
          await segmentationOverlayPng(run.file('overlays.png'), all.inputs, all.targets, pred, { maxImages: rows });
        } finally {
          pred.dispose();
        }
        files.push('overlays.png');
        figures.push({ name: 'Test images, true masks and predicted masks', file: 'overlays.png' });
      }
    } finally {
      for (const t of [probs, all.inputs, all.targets]) t.dispose();
      confusion.dispose();
    }
  } else {
    const test = await scoresAndTargets(model, task, testData);
    const aps = averagePrecision(test.targets, test.scores);
    result.perClass = aps;
    let decision = task.decision;
    if (opts.valData) {
      const val = await scoresAndTargets(model, task, opts.valData);
      const chosen = selectThresholds(val.targets, val.scores, { perLabel: true });
      result.thresholds = chosen.thresholds;
      decision = { threshold: chosen.thresholds, fallbackTop1: task.decision.fallbackTop1 ?? true };
      await saveFigure('thresholds.png', 'Decision thresholds chosen on validation (max F1 per label)',
        await perClassAccuracyPng(chosen.thresholds, classNames, { title: 'Threshold per label', valueTitle: 'threshold' }));
    }
    const s = multilabelScores(test.targets, test.scores, decision);
    const defined = aps.filter((x) => !Number.isNaN(x));
    result.metrics = {
      test_mAP: defined.reduce((a, b) => a + b, 0) / Math.max(1, defined.length),
      test_f1_micro: s.f1Micro, test_f1_macro: s.f1Macro, test_precision_macro: s.precisionMacro, test_recall_macro: s.recallMacro,
      test_exact_match: s.exactMatch,
    };
    await saveFigure('per_class_ap.png', 'Average precision per label (test)', await perClassAccuracyPng(aps, classNames, { title: 'AP per label', valueTitle: 'AP' }));
    const curves = classNames.map((name, c) => ({ name, ...precisionRecallCurve(test.targets.map((r) => r[c]!), test.scores.map((r) => r[c]!)) }));
    await saveFigure('precision_recall.png', 'Precision-recall curve per label (test)', await precisionRecallPng(curves));
  }
  await writeReport(run.path, {
    title: opts.title ?? `Run ${run.name}`,
    ...(opts.config !== undefined ? { config: opts.config } : {}),
    ...(history.length > 0 ? { history: historyForCharts(history, task.metricNames) } : {}),
    metrics: result.metrics,
    figures,
  });
  files.push('report.html');
  return result;
}

function prefixed(m: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [`test_${k}`, v]));
}
