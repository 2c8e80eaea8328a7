// The report's figures, each a Vega-Lite spec rendered to PNG. Every function returns
// the PNG bytes of exactly the requested size (default 800×450, or square for the
// confusion matrix); writing them is the caller's business.
import type { TopLevelSpec } from 'vega-lite';
import { vegaLiteToPng, CHART_CONFIG } from './render.js';

export interface ChartOptions { width?: number; height?: number; title?: string }

/**
 * One row of training history: loss and accuracy, and any other metric of the run's task
 * under `metrics` (one panel each); learning rate and time are not drawn here.
 */
export interface HistoryEntry {
  epoch: number;
  trainLoss: number;
  valLoss?: number;
  trainAcc?: number;
  valAcc?: number;
  metrics?: Record<string, { train?: number; val?: number }>;
}

/** Metrics read as fractions in [0, 1] get a 0–100% axis. */
const FRACTION = /acc|iou|dice|f1|precision|recall|ssim/i;

const SPLIT_COLOURS: Record<string, string> = { train: '#1f77b4', validation: '#ff7f0e' };
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

function singleView(spec: Record<string, unknown>, opts: ChartOptions, defaults: { width: number; height: number }) {
  const width = opts.width ?? defaults.width;
  const height = opts.height ?? defaults.height;
  const full = {
    $schema: SCHEMA, config: CHART_CONFIG, width, height,
    autosize: { type: 'fit', contains: 'padding' }, padding: 8,
    ...(opts.title ? { title: opts.title } : {}),
    ...spec,
  } as TopLevelSpec;
  return vegaLiteToPng(full, { width, height });
}

function finite(x: number | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** Loss and each recorded metric per epoch, train against validation, side by side. */
export async function learningCurvesPng(history: readonly HistoryEntry[], opts: ChartOptions = {}): Promise<Buffer> {
  const { spec, width, height } = learningCurvesSpec(history, opts);
  return vegaLiteToPng(spec, { width, height });
}

/**
 * The spec behind learningCurvesPng. Only the series with data are drawn and named in
 * the legend: a run without validation data shows no validation entry.
 */
export function learningCurvesSpec(history: readonly HistoryEntry[], opts: ChartOptions = {}): { spec: TopLevelSpec; width: number; height: number } {
  if (!Array.isArray(history) || history.length === 0) throw new RangeError('learningCurvesPng: history is empty');
  const rows: { epoch: number; metric: string; split: string; value: number }[] = [];
  history.forEach((h, i) => {
    if (!finite(h.epoch)) throw new TypeError(`learningCurvesPng: history[${i}].epoch is ${h.epoch}, expected a number`);
    const add = (metric: string, split: string, v: number | undefined) => { if (finite(v)) rows.push({ epoch: h.epoch, metric, split, value: v }); };
    add('loss', 'train', h.trainLoss);
    add('loss', 'validation', h.valLoss);
    add('accuracy', 'train', h.trainAcc);
    add('accuracy', 'validation', h.valAcc);
    for (const name of Object.keys(h.metrics ?? {})) {
      add(name, 'train', h.metrics![name]!.train);
      add(name, 'validation', h.metrics![name]!.val);
    }
  });
  const metrics = [...new Set(rows.map((r) => r.metric))];
  if (metrics.length === 0) throw new RangeError('learningCurvesPng: history has no finite loss or metric values');
  const splits = Object.keys(SPLIT_COLOURS).filter((s) => rows.some((r) => r.split === s));
  const colours = { domain: splits, range: splits.map((s) => SPLIT_COLOURS[s]!) };
  const width = opts.width ?? 900;
  const height = opts.height ?? 400;
  // Panel sizes leave room for axes, the shared legend and the title; the PNG is padded
  // to the exact size afterwards.
  const panelWidth = Math.max(80, Math.floor((width - 150) / metrics.length - 60));
  const panelHeight = Math.max(60, height - (opts.title ? 110 : 80));
  const panel = (metric: string) => ({
    title: metric.charAt(0).toUpperCase() + metric.slice(1),
    width: panelWidth, height: panelHeight,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: {
        field: 'value', type: 'quantitative', title: metric,
        scale: FRACTION.test(metric) ? { domain: [0, 1] } : { zero: false },
        ...(FRACTION.test(metric) ? { axis: { format: '.0%' } } : {}),
      },
      color: { field: 'split', type: 'nominal', title: null, scale: colours },
    },
  });
  const spec = {
    $schema: SCHEMA, config: CHART_CONFIG, padding: 8,
    ...(opts.title ? { title: opts.title } : {}),
    data: { values: rows },
    hconcat: metrics.map(panel),
  } as TopLevelSpec;
  return { spec, width, height };
}

/**
 * Heatmap of a confusion matrix (rows true class, columns predicted; or other row and
 * column titles, for a label-noise transition matrix). With normalize,
 * each row is shown as fractions of its true class and cells read as percentages;
 * otherwise as counts. Cell text is left out beyond 30 classes, where it cannot be read.
 */
export async function confusionMatrixPng(
  matrix: readonly (readonly number[])[], classNames: readonly string[],
  opts: ChartOptions & { normalize?: boolean; rowTitle?: string; columnTitle?: string } = {},
): Promise<Buffer> {
  const k = classNames.length;
  if (k === 0) throw new RangeError('confusionMatrixPng: classNames is empty');
  if (matrix.length !== k || matrix.some((r) => r.length !== k)) {
    throw new RangeError(`confusionMatrixPng: matrix must be ${k}×${k} to match classNames, got ${matrix.length}×${matrix[0]?.length ?? 0}`);
  }
  const names = uniqueNames(classNames);
  const rows: { actual: string; predicted: string; count: number; share: number; text: string }[] = [];
  matrix.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, p) => {
      const share = total === 0 ? 0 : count / total;
      rows.push({ actual: names[t]!, predicted: names[p]!, count, share, text: opts.normalize ? `${Math.round(share * 100)}%` : String(count) });
    });
  });
  const colourField = opts.normalize ? 'share' : 'count';
  const maxValue = Math.max(1e-12, ...rows.map((r) => (opts.normalize ? r.share : r.count)));
  const side = opts.width ?? opts.height ?? 640;
  const axis = (field: 'actual' | 'predicted', title: string) => ({ field, type: 'ordinal', sort: names, title });
  const layers: Record<string, unknown>[] = [{
    mark: 'rect',
    encoding: {
      color: {
        field: colourField, type: 'quantitative', scale: { scheme: 'blues', domain: [0, maxValue] },
        title: opts.normalize ? 'row share' : 'count', ...(opts.normalize ? { legend: { format: '.0%' } } : {}),
      },
    },
  }];
  if (k <= 30) {
    // About a third of a cell's width per character: '100%' has to fit.
    const cell = (side - 160) / k;
    layers.push({
      mark: { type: 'text', fontSize: Math.max(7, Math.min(14, Math.floor(cell / (opts.normalize ? 3.2 : 2.6)))) },
      encoding: {
        text: { field: 'text', type: 'nominal' },
        // Dark cells get white text; the threshold is half the colour scale.
        color: { condition: { test: `datum.${colourField} > ${maxValue / 2}`, value: 'white' }, value: 'black' },
      },
    });
  }
  return singleView({
    data: { values: rows },
    encoding: { x: { ...axis('predicted', opts.columnTitle ?? 'predicted class'), axis: { labelAngle: -45 } }, y: axis('actual', opts.rowTitle ?? 'true class') },
    layer: layers,
  }, { ...opts, title: opts.title ?? 'Confusion matrix' }, { width: opts.width ?? side, height: opts.height ?? side });
}

/** Accuracy of each class as bars (NaN, a class without test samples, is left blank). */
/** Bars of a per-class score in [0, 1]; valueTitle names it on the axis (default 'accuracy': IoU and AP charts reuse it). */
export async function perClassAccuracyPng(values: readonly number[], classNames: readonly string[], opts: ChartOptions & { valueTitle?: string } = {}): Promise<Buffer> {
  if (values.length !== classNames.length) throw new RangeError(`perClassAccuracyPng: ${values.length} values for ${classNames.length} class names`);
  if (values.length === 0) throw new RangeError('perClassAccuracyPng: no classes');
  const names = uniqueNames(classNames);
  const rows = values.map((v, i) => ({ name: names[i]!, accuracy: finite(v) ? v : null }));
  const layers: Record<string, unknown>[] = [{ mark: { type: 'bar', color: '#4c78a8' } }];
  if (values.length <= 25) {
    layers.push({ mark: { type: 'text', dy: -7, fontSize: 10 }, encoding: { text: { field: 'accuracy', type: 'quantitative', format: '.0%' } } });
  }
  return singleView({
    data: { values: rows },
    encoding: {
      x: { field: 'name', type: 'ordinal', sort: names, title: null, axis: { labelAngle: -45 } },
      y: { field: 'accuracy', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '.0%' }, title: opts.valueTitle ?? 'accuracy' },
    },
    layer: layers,
  }, { ...opts, title: opts.title ?? 'Accuracy per class' }, { width: 800, height: 450 });
}

/** 2-D points (x0, y0, x1, y1, ...) coloured by class, e.g. a t-SNE embedding of test features. */
export async function scatterPng(points: Float32Array | readonly number[], labels: ArrayLike<number>, classNames: readonly string[], opts: ChartOptions = {}): Promise<Buffer> {
  if (points.length !== labels.length * 2) throw new RangeError(`scatterPng: ${points.length} coordinates for ${labels.length} labels (expected 2 per point)`);
  const names = uniqueNames(classNames);
  const rows = Array.from({ length: labels.length }, (_, i) => {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= names.length) throw new RangeError(`scatterPng: label ${i} is ${label}, outside [0, ${names.length})`);
    return { x: points[2 * i]!, y: points[2 * i + 1]!, class: names[label]! };
  });
  const noAxis = { title: null, labels: false, ticks: false, grid: false, domain: false };
  return singleView({
    data: { values: rows },
    mark: { type: 'circle', size: labels.length > 2000 ? 12 : 30, opacity: 0.75 },
    encoding: {
      x: { field: 'x', type: 'quantitative', axis: noAxis, scale: { zero: false, nice: false, padding: 10 } },
      y: { field: 'y', type: 'quantitative', axis: noAxis, scale: { zero: false, nice: false, padding: 10 } },
      color: { field: 'class', type: 'nominal', sort: names, title: 'class', scale: { scheme: names.length <= 10 ? 'category10' : 'tableau20' } },
    },
  }, { ...opts, title: opts.title ?? 'Embedding (t-SNE)' }, { width: 800, height: 600 });
}

/**
 * Accuracy against perturbation size ε. `acc` is one curve, or several by name
 * (e.g. { FGSM: [...], PGD: [...] }), each with one value per ε.
 */
export async function robustnessCurvePng(eps: readonly number[], acc: readonly number[] | Readonly<Record<string, readonly number[]>>, opts: ChartOptions = {}): Promise<Buffer> {
  return seriesPng(eps, isNumberArray(acc) ? { accuracy: acc } : acc, {
    title: 'Robustness', ...opts, who: 'robustnessCurvePng', xName: 'eps values', xTitle: 'ε (perturbation size)', yTitle: 'accuracy', percent: true,
  });
}

export interface SeriesChartOptions extends ChartOptions {
  xTitle: string;
  yTitle: string;
  /** Values are fractions: a 0–100% axis. */
  percent?: boolean;
  /** Name in error messages (default 'seriesPng'), and what the x values are. */
  who?: string;
  xName?: string;
}

/**
 * Curves over one x axis: one per named series, each with one value per x (non-finite
 * values are left out). The shape of robustness curves, PSNR by noise level and the
 * per-epoch records of training methods.
 */
export async function seriesPng(x: readonly number[], series: Readonly<Record<string, readonly number[]>>, opts: SeriesChartOptions): Promise<Buffer> {
  const who = opts.who ?? 'seriesPng';
  if (x.length === 0) throw new RangeError(`${who}: ${opts.xName ?? 'x'} is empty`);
  const rows: { x: number; y: number; series: string }[] = [];
  const names = Object.keys(series);
  for (const [name, values] of Object.entries(series)) {
    if (values.length !== x.length) throw new RangeError(`${who}: ${values.length} values for '${name}' but ${x.length} ${opts.xName ?? 'x values'}`);
    values.forEach((v, i) => { if (finite(v) && finite(x[i])) rows.push({ x: x[i]!, y: v, series: name }); });
  }
  return singleView({
    data: { values: rows },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      // Whole-number x (epochs) gets whole-number ticks.
      x: { field: 'x', type: 'quantitative', title: opts.xTitle, scale: { nice: false }, axis: { format: '~g', ...(x.every(Number.isInteger) ? { tickMinStep: 1 } : {}) } },
      y: {
        field: 'y', type: 'quantitative', title: opts.yTitle,
        ...(opts.percent ? { scale: { domain: [0, 1] }, axis: { format: '.0%' } } : { scale: { zero: false } }),
      },
      ...(names.length > 1 ? { color: { field: 'series', type: 'nominal', sort: names, title: null, legend: { orient: 'bottom', labelLimit: 400 } } } : {}),
    },
  }, opts, { width: 800, height: 450 });
}

/**
 * A rectangular grid of values in [0, 1] as colour, each cell labelled in percent: rows
 * and columns named in order (e.g. epochs against bins of per-sample weights).
 */
export async function heatmapPng(
  values: readonly (readonly number[])[], rowNames: readonly string[], columnNames: readonly string[],
  opts: ChartOptions & { rowTitle: string; columnTitle: string; legendTitle?: string },
): Promise<Buffer> {
  if (values.length !== rowNames.length || values.some((r) => r.length !== columnNames.length)) {
    throw new RangeError(`heatmapPng: values must be ${rowNames.length}×${columnNames.length} to match the row and column names, got ${values.length}×${values[0]?.length ?? 0}`);
  }
  const rows = values.flatMap((r, i) => r.map((v, j) => ({ row: rowNames[i]!, column: columnNames[j]!, value: v, text: finite(v) ? `${Math.round(v * 100)}%` : '' })));
  const max = Math.max(1e-12, ...rows.map((r) => (finite(r.value) ? r.value : 0)));
  return singleView({
    data: { values: rows },
    encoding: {
      x: { field: 'column', type: 'ordinal', sort: [...columnNames], title: opts.columnTitle, axis: { labelAngle: -45 } },
      y: { field: 'row', type: 'ordinal', sort: [...rowNames], title: opts.rowTitle },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'value', type: 'quantitative', scale: { scheme: 'blues', domain: [0, max] }, title: opts.legendTitle ?? 'share', legend: { format: '.0%' } } } },
      ...(rowNames.length * columnNames.length <= 400 ? [{
        mark: { type: 'text', fontSize: 10 },
        encoding: { text: { field: 'text', type: 'nominal' }, color: { condition: { test: `datum.value > ${max / 2}`, value: 'white' }, value: 'black' } },
      }] : []),
    ],
  }, opts, { width: 800, height: Math.max(240, Math.min(800, 60 + 28 * rowNames.length)) });
}

/** Precision against recall, one curve per label (labels without a curve are left out). */
export async function precisionRecallPng(
  curves: readonly { name: string; recall: readonly number[]; precision: readonly number[] }[], opts: ChartOptions = {},
): Promise<Buffer> {
  const rows: { recall: number; precision: number; label: string; order: number }[] = [];
  for (const c of curves) {
    if (c.recall.length !== c.precision.length) throw new RangeError(`precisionRecallPng: '${c.name}' has ${c.recall.length} recalls but ${c.precision.length} precisions`);
    c.recall.forEach((r, i) => { if (finite(r) && finite(c.precision[i])) rows.push({ recall: r, precision: c.precision[i]!, label: c.name, order: i }); });
  }
  if (rows.length === 0) throw new RangeError('precisionRecallPng: no curve has a point');
  const names = curves.filter((c) => c.recall.length > 0).map((c) => c.name);
  return singleView({
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2, interpolate: 'step-after' },
    encoding: {
      x: { field: 'recall', type: 'quantitative', scale: { domain: [0, 1] }, title: 'recall' },
      y: { field: 'precision', type: 'quantitative', scale: { domain: [0, 1] }, title: 'precision' },
      color: { field: 'label', type: 'nominal', sort: names, title: null, legend: { labelLimit: 200 } },
      order: { field: 'order', type: 'quantitative' },
    },
  }, { ...opts, title: opts.title ?? 'Precision-recall per label' }, { width: 800, height: 500 });
}

/** One bar per (name, metric): runs or models side by side, grouped when several metrics are given. */
export interface ComparisonRow { name: string; value: number; metric?: string }

export async function comparisonBarPng(rows: readonly ComparisonRow[], opts: ChartOptions & { percent?: boolean } = {}): Promise<Buffer> {
  if (rows.length === 0) throw new RangeError('comparisonBarPng: no rows');
  rows.forEach((r, i) => {
    if (typeof r.name !== 'string' || !finite(r.value)) throw new TypeError(`comparisonBarPng: row ${i} needs a name and a finite value, got ${JSON.stringify(r)}`);
  });
  const data = rows.map((r) => ({ name: r.name, value: r.value, metric: r.metric ?? 'value' }));
  const names = [...new Set(data.map((r) => r.name))];
  const metrics = [...new Set(data.map((r) => r.metric))];
  const grouped = metrics.length > 1;
  const format = opts.percent ? '.1%' : '.3~g';
  return singleView({
    data: { values: data },
    encoding: {
      x: { field: 'name', type: 'nominal', sort: names, title: null, axis: { labelAngle: names.length > 6 ? -45 : 0 } },
      y: { field: 'value', type: 'quantitative', title: grouped ? null : metrics[0], axis: { format: opts.percent ? '.0%' : '~g' } },
      ...(grouped ? { xOffset: { field: 'metric', type: 'nominal', sort: metrics }, color: { field: 'metric', type: 'nominal', sort: metrics, title: null } } : {}),
    },
    layer: [
      { mark: { type: 'bar', ...(grouped ? {} : { color: '#4c78a8' }) } },
      ...(rows.length <= 30 ? [{ mark: { type: 'text', dy: -7, fontSize: 10 }, encoding: { text: { field: 'value', type: 'quantitative', format } } }] : []),
    ],
  }, { ...opts, title: opts.title ?? 'Comparison' }, { width: 800, height: 450 });
}

function isNumberArray(x: unknown): x is readonly number[] {
  return Array.isArray(x);
}

/** Vega groups equal names into one band; suffix repeats so every class keeps its own row. */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const count = seen.get(n) ?? 0;
    seen.set(n, count + 1);
    return count === 0 ? n : `${n} (${count + 1})`;
  });
}

/**
 * PSNR against the noise level (the std of Gaussian noise): one curve per series, e.g.
 * { denoised: [...], noisy: [...] }, each with one value per level. The figure of a model
 * trained blind, over a range of noise levels.
 */
export async function psnrByNoiseLevelPng(levels: readonly number[], psnr: Readonly<Record<string, readonly number[]>>, opts: ChartOptions = {}): Promise<Buffer> {
  return seriesPng(levels, psnr, {
    title: 'PSNR against noise level', ...opts, who: 'psnrByNoiseLevelPng', xName: 'noise levels', xTitle: 'noise level (std on [0, 1] pixels)', yTitle: 'PSNR (dB)',
  });
}
