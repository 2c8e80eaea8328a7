// Comparing runs: their learning curves overlaid (smoothing, log axes, epoch or wall time),
// the table `visionlab compare` prints, config values against a metric in parallel
// coordinates, and the config keys on which the runs differ.
import { h, section, fmt } from './dom.js';
import { getJson, type Comparison, type RunEntry } from './api.js';
import { draw, compareCurvesSpec, parallelSpec, type CurveOptions } from './charts.js';

type Value = string | number | boolean | null;

/** Config keys whose values are not the same in every run. */
export function differingKeys(configs: readonly Record<string, Value>[]): string[] {
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))].sort();
  return keys.filter((k) => new Set(configs.map((c) => JSON.stringify(c[k] ?? null))).size > 1);
}

function metricNames(data: Comparison): string[] {
  const names = new Set<string>();
  for (const r of data.runs) for (const row of r.epochsData) for (const k of Object.keys(row)) if (k !== 'epoch' && k !== 'time_s') names.add(k);
  return [...names].sort();
}

function lastValue(run: Comparison['runs'][number], metric: string): number | null {
  const values = run.epochsData.map((r) => r[metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return values.length ? values[values.length - 1]! : null;
}

export async function comparePage(app: HTMLElement, ids: string[]): Promise<void> {
  const query = ids.map((id) => `run=${encodeURIComponent(id)}`).join('&');
  const data = await getJson<Comparison>(`/api/compare?${query}`);
  if (data.runs.length === 0) return void app.replaceChildren(h('h1', {}, 'Compare'), h('p', {}, 'None of these runs exists any more.'));
  const metrics = metricNames(data);
  const first = data.runs[0]!.metric;
  const o: CurveOptions = { metric: metrics.includes(first) ? first : metrics[0] ?? 'loss', smoothing: 0, logX: false, logY: false, xAxis: 'epoch' };
  const curves = h('div', { class: 'chart', 'data-chart': 'compare-curves' });
  const parallel = h('div', { class: 'chart', 'data-chart': 'parallel' });
  const smoothingLabel = h('span', {}, '0.00');
  const redraw = async () => {
    await draw(curves, compareCurvesSpec(data.runs.map((r) => ({ name: r.id, rows: r.epochsData })), o));
    await drawParallel();
  };
  const controls = h('div', { class: 'toolbar' },
    h('label', {}, 'metric ', h('select', { id: 'metric', onchange: (e) => { o.metric = (e.target as HTMLSelectElement).value; void redraw(); } },
      ...metrics.map((m) => h('option', { value: m, selected: m === o.metric }, m)))),
    h('label', {}, 'smoothing ', h('input', {
      id: 'smoothing', type: 'range', min: 0, max: 0.99, step: 0.01, value: 0,
      oninput: (e) => { o.smoothing = Number((e.target as HTMLInputElement).value); smoothingLabel.textContent = o.smoothing.toFixed(2); void redraw(); },
    }), smoothingLabel),
    h('label', {}, h('input', { id: 'logx', type: 'checkbox', onchange: (e) => { o.logX = (e.target as HTMLInputElement).checked; void redraw(); } }), ' log x'),
    h('label', {}, h('input', { id: 'logy', type: 'checkbox', onchange: (e) => { o.logY = (e.target as HTMLInputElement).checked; void redraw(); } }), ' log y'),
    h('label', {}, 'x axis ', h('select', { id: 'xaxis', onchange: (e) => { o.xAxis = (e.target as HTMLSelectElement).value as 'epoch' | 'time'; void redraw(); } },
      h('option', { value: 'epoch' }, 'epoch'), h('option', { value: 'time' }, 'wall time'))),
  );

  const configs = data.runs.map((r) => r.config);
  const differing = differingKeys(configs);
  const diff = differing.length === 0 ? h('p', {}, 'The configs are identical.') : h('table', { id: 'config-diff' },
    h('thead', {}, h('tr', {}, h('th', {}, 'config key'), ...data.runs.map((r) => h('th', {}, r.name)))),
    h('tbody', {}, ...differing.map((k) => h('tr', {}, h('td', {}, k), ...configs.map((c) => h('td', {}, String(c[k] ?? '—')))))));

  const [header, ...body] = data.table;
  const table = header ? h('table', { id: 'compare-table' },
    h('thead', {}, h('tr', {}, ...header.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...body.map((row) => h('tr', {}, ...row.map((c, i) => h('td', { class: i >= 2 ? 'num' : '' }, c))))))
    : h('p', {}, 'No finished run among these yet.');

  async function drawParallel(): Promise<void> {
    // Axes: the config values that differ (numbers as they are, categories by position), then the metric.
    const axes = differing.filter((k) => configs.every((c) => c[k] === undefined || c[k] === null || typeof c[k] !== 'object'));
    const categories = new Map<string, string[]>();
    for (const k of axes) if (configs.some((c) => typeof c[k] !== 'number')) categories.set(k, [...new Set(configs.map((c) => String(c[k] ?? '—')))].sort());
    const label = `final ${o.metric}`;
    // Vega reads dots in field names as nested access: 'optimizer.lr' becomes 'optimizer/lr'.
    const field = (k: string) => k.replace(/[.[\]]/g, '/');
    const rows = data.runs.map((r: RunEntry & { epochsData: unknown }) => {
      const row: Record<string, number | string> = { run: r.name };
      for (const k of axes) row[field(k)] = categories.has(k) ? categories.get(k)!.indexOf(String(r.config[k] ?? '—')) : Number(r.config[k]);
      row[label] = lastValue(r as Comparison['runs'][number], o.metric) ?? NaN;
      return row;
    });
    await draw(parallel, parallelSpec(rows, [...axes.map(field), label]));
  }

  app.replaceChildren(
    h('h1', {}, `Compare ${data.runs.length} runs`),
    section('Learning curves', controls, curves),
    section('Comparison', table),
    section('Config against metric', h('p', { class: 'note' }, 'Each line is a run; axes are the config values that differ between the runs, scaled to their range, and the metric\'s final value.'), parallel),
    section('Config differences', diff),
    h('p', { class: 'note' }, data.runs.map((r) => `${r.name}: ${r.status}, ${r.epochs} epochs, best ${r.metric} ${fmt(r.best)}`).join(' · ')),
  );
  await redraw();
}
