// One run: live learning curves and confusion matrices, the test results, the prediction
// explorer and embedding projector, every figure the run's task or method wrote (in task
// panels, see task-panels.ts), and its config.
// A run directory deleted while the page is open is shown as gone.
import { h, section, fmt } from './dom.js';
import { getJson, subscribe, runFile, NotFound, type RunDetails, type EpochRow, type ConfusionEntry, type SamplesFile } from './api.js';
import { draw, runCurvesSpec } from './charts.js';
import { confusionPanel } from './confusion-panel.js';
import { explorerPanel, projectorPanel } from './samples-panels.js';
import { figurePanels } from './task-panels.js';

function keyValues(values: Record<string, unknown>): HTMLElement {
  const rows = Object.entries(values).filter(([, v]) => typeof v === 'number' || typeof v === 'string');
  return h('table', { class: 'kv' }, h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', {}, k.replace(/_/g, ' ')), h('td', { class: 'num' }, typeof v === 'number' ? (Number.isInteger(v) ? String(v) : fmt(v)) : String(v))))));
}

export async function runPage(app: HTMLElement, id: string): Promise<() => void> {
  let details: RunDetails;
  try {
    details = await getJson<RunDetails>(`/api/run?run=${encodeURIComponent(id)}`);
  } catch (e) {
    if (!(e instanceof NotFound)) throw e;
    app.replaceChildren(h('h1', {}, id), h('p', { class: 'gone', id: 'gone' }, 'This run directory is gone.'));
    return () => {};
  }
  const { run } = details;
  const status = h('span', { class: `status ${run.status}`, id: 'status' }, run.status);
  const epochsLabel = h('span', { id: 'epoch-count' });
  const curves = h('div', { class: 'chart', 'data-chart': 'curves' });
  const confusion = confusionPanel();
  const banner = h('div', {});
  let rows: EpochRow[] = [];
  let confusionEntries: ConfusionEntry[] = [];

  const sections: HTMLElement[] = [
    h('h1', {}, run.id, ' ', status),
    banner,
    h('p', { class: 'note' }, `${run.model} on ${run.data || 'its data'} · ${run.task} · `, epochsLabel),
    section('Learning curves', curves),
    section('Confusion matrix (validation)', confusion.element),
  ];
  if (details.testMetrics) sections.push(section('Test results', keyValues(details.testMetrics)));
  if (details.hasSamples) {
    const samples = await getJson<SamplesFile>(runFile(id, 'samples.json'));
    sections.push(section('Predictions', explorerPanel(id, samples)), section('Embedding projector', projectorPanel(id, samples)));
  }
  for (const panel of figurePanels(details.figures)) {
    sections.push(section(panel.title, h('div', { class: 'figures', 'data-panel': panel.title }, ...panel.files.map((f) => h('figure', {},
      h('a', { href: runFile(id, f), target: '_blank' }, h('img', { src: runFile(id, f), alt: f, loading: 'lazy' })), h('figcaption', {}, f))))));
  }
  sections.push(section('Config', h('pre', {}, JSON.stringify(details.config, null, 2))));
  app.replaceChildren(...sections);

  const redrawCurves = () => {
    epochsLabel.textContent = `${rows.length} epochs`;
    return rows.length ? draw(curves, runCurvesSpec(rows)) : curves.replaceChildren(h('p', { class: 'note' }, 'No epoch finished yet.'));
  };
  return subscribe(`/api/events?run=${encodeURIComponent(id)}`, {
    metrics: (data) => {
      const d = data as { reset: boolean; rows: EpochRow[] };
      rows = d.reset ? d.rows : [...rows, ...d.rows];
      void redrawCurves();
    },
    confusion: (data) => {
      const d = data as { reset: boolean; rows: ConfusionEntry[] };
      confusionEntries = d.reset ? d.rows : [...confusionEntries, ...d.rows];
      confusion.update(confusionEntries);
    },
    run: (data) => {
      const r = data as { status: string };
      status.className = `status ${r.status}`;
      status.textContent = r.status;
    },
    gone: () => {
      status.className = 'status gone';
      status.textContent = 'gone';
      banner.replaceChildren(h('p', { class: 'gone', id: 'gone' }, 'This run directory was deleted; what is shown is what it held.'));
    },
  });
}
