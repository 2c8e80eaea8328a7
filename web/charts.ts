// Vega-Lite specs of the dashboard's charts, drawn as SVG (so every mark is an element a
// test or a screen reader can find) with vega-embed, which the bundle carries: no chart
// library is fetched at run time.
import embed, { type VisualizationSpec, type Result } from 'vega-embed';
import type { EpochRow } from './api.js';

const CONFIG = { font: 'DejaVu Sans, Verdana, sans-serif', view: { stroke: '#ddd' }, axis: { labelFontSize: 11, titleFontSize: 12 } };

/** Draws spec into el, replacing what was there; the previous view is finalized. */
export async function draw(el: HTMLElement, spec: object): Promise<Result> {
  const previous = (el as HTMLElement & { vegaResult?: Result }).vegaResult;
  const result = await embed(el, { config: CONFIG, ...spec } as VisualizationSpec, { renderer: 'svg', actions: false });
  previous?.finalize();
  (el as HTMLElement & { vegaResult?: Result }).vegaResult = result;
  return result;
}

/** Metric names in rows, without the bookkeeping columns and the val_ prefix. */
export function metricBases(rows: readonly EpochRow[]): string[] {
  const names = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (k === 'epoch' || k === 'lr' || k === 'time_s') continue;
      names.add(k.replace(/^val_/, ''));
    }
  }
  return [...names].sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b)));
}

/** One panel per metric, training against validation, a point per epoch. */
export function runCurvesSpec(rows: readonly EpochRow[]): object {
  const values: { epoch: number; metric: string; split: string; value: number }[] = [];
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) {
      if (k === 'epoch' || k === 'lr' || k === 'time_s' || typeof v !== 'number' || !Number.isFinite(v)) continue;
      values.push({ epoch: r.epoch ?? 0, metric: k.replace(/^val_/, ''), split: k.startsWith('val_') ? 'validation' : 'train', value: v });
    }
  }
  return {
    data: { values },
    facet: { field: 'metric', type: 'nominal', title: null },
    columns: 3,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 300, height: 180,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: null },
        color: { field: 'split', type: 'nominal', scale: { domain: ['train', 'validation'], range: ['#1f77b4', '#ff7f0e'] }, title: null },
        tooltip: [{ field: 'epoch' }, { field: 'split' }, { field: 'value', format: '.4f' }],
      },
    },
  };
}

export interface CurveOptions { metric: string; smoothing: number; logX: boolean; logY: boolean; xAxis: 'epoch' | 'time' }

/** Exponential moving average with TensorBoard's debiasing, so early points are not pulled to 0. */
export function smooth(values: readonly number[], weight: number): number[] {
  let last = 0;
  let debias = 0;
  return values.map((v) => {
    last = last * weight + (1 - weight) * v;
    debias = debias * weight + (1 - weight);
    return weight === 0 ? v : last / debias;
  });
}

/** One line per run of one metric, smoothed, against epoch (from 1) or cumulative wall time. */
export function compareCurvesSpec(runs: { name: string; rows: readonly EpochRow[] }[], o: CurveOptions): object {
  const values: { run: string; x: number; value: number }[] = [];
  for (const run of runs) {
    const kept = run.rows.filter((r) => typeof r[o.metric] === 'number' && Number.isFinite(r[o.metric]!));
    let t = 0;
    const xs = run.rows.map((r) => (t += r.time_s ?? 0));
    const times = new Map(run.rows.map((r, i) => [r, xs[i]!]));
    const smoothed = smooth(kept.map((r) => r[o.metric]!), o.smoothing);
    kept.forEach((r, i) => values.push({ run: run.name, x: o.xAxis === 'time' ? times.get(r)! : (r.epoch ?? i) + 1, value: smoothed[i]! }));
  }
  return {
    width: 640, height: 300, data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'x', type: 'quantitative', title: o.xAxis === 'time' ? 'wall time (s)' : 'epoch', scale: { type: o.logX ? 'log' : 'linear', zero: false },
        ...(o.xAxis === 'epoch' && !o.logX ? { axis: { tickMinStep: 1, format: 'd' } } : {}),
      },
      y: { field: 'value', type: 'quantitative', title: o.metric, scale: { type: o.logY ? 'log' : 'linear', zero: false } },
      color: { field: 'run', type: 'nominal' },
      tooltip: [{ field: 'run' }, { field: 'x', title: o.xAxis }, { field: 'value', format: '.4f' }],
    },
  };
}

/** Heatmap of counts, rows true classes; cells are coloured by the share of their row. */
export function confusionSpec(classes: readonly string[], matrix: readonly (readonly number[])[]): object {
  const values = matrix.flatMap((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    return row.map((count, p) => ({ actual: classes[t], predicted: classes[p], count, share: count / total }));
  });
  const size = Math.min(480, Math.max(160, 36 * classes.length));
  return {
    width: size, height: size, data: { values },
    encoding: {
      x: { field: 'predicted', type: 'nominal', sort: classes, title: 'predicted' },
      y: { field: 'actual', type: 'nominal', sort: classes, title: 'true' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'share', type: 'quantitative', scale: { scheme: 'blues', domain: [0, 1] }, legend: null } } },
      {
        mark: { type: 'text', fontSize: classes.length > 12 ? 8 : 11 },
        encoding: { text: { field: 'count' }, color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' } },
      },
    ],
  };
}

export function perClassSpec(classes: readonly string[], accuracy: readonly (number | null)[]): object {
  return {
    width: 360, height: { step: 18 }, data: { values: classes.map((c, i) => ({ class: c, accuracy: accuracy[i] })) },
    mark: 'bar',
    encoding: {
      y: { field: 'class', type: 'nominal', sort: classes, title: null },
      x: { field: 'accuracy', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
      tooltip: [{ field: 'class' }, { field: 'accuracy', format: '.2%' }],
    },
  };
}

export interface ProjectorPoint { x: number; y: number; class: string; predicted: string; i: number }

export function projectorSpec(points: readonly ProjectorPoint[], classes: readonly string[]): object {
  return {
    width: 520, height: 420, data: { name: 'points', values: points },
    mark: { type: 'point', filled: true, size: 40, opacity: 0.8 },
    encoding: {
      x: { field: 'x', type: 'quantitative', axis: null, scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', axis: null, scale: { zero: false } },
      color: { field: 'class', type: 'nominal', scale: { domain: classes }, title: 'true class' },
      shape: { condition: { test: 'datum.class !== datum.predicted', value: 'cross' }, value: 'circle' },
    },
  };
}

/** Config values (numbers, or categories as positions) and a metric, each on its own axis scaled to [0, 1]. */
export function parallelSpec(rows: readonly Record<string, number | string>[], axes: readonly string[]): object {
  return {
    width: Math.max(300, 120 * axes.length), height: 260, data: { values: rows },
    transform: [
      { window: [{ op: 'count', as: 'line' }] },
      { fold: [...axes], as: ['axis', 'value'] },
      { joinaggregate: [{ op: 'min', field: 'value', as: 'lo' }, { op: 'max', field: 'value', as: 'hi' }], groupby: ['axis'] },
      { calculate: 'datum.hi === datum.lo ? 0.5 : (datum.value - datum.lo) / (datum.hi - datum.lo)', as: 'position' },
    ],
    layer: [
      { mark: { type: 'rule', color: '#ccc' }, encoding: { x: { field: 'axis', type: 'nominal', sort: axes, title: null } } },
      {
        mark: { type: 'line', point: true, opacity: 0.8 },
        encoding: {
          x: { field: 'axis', type: 'nominal', sort: axes },
          y: { field: 'position', type: 'quantitative', axis: null },
          color: { field: 'run', type: 'nominal' }, detail: { field: 'line', type: 'nominal' },
          tooltip: [{ field: 'run' }, { field: 'axis' }, { field: 'value' }],
        },
      },
    ],
  };
}
