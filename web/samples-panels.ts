// The prediction explorer and the embedding projector over samples.json: test images with
// their true class, prediction, confidence and loss, and the t-SNE and PCA layouts of
// their penultimate features. Images come from one sprite (thumbnails.png), cut by CSS.
import { h, fmt } from './dom.js';
import { runFile, type SamplesFile, type Sample } from './api.js';
import { draw, projectorSpec, type ProjectorPoint } from './charts.js';

const MAX_SHOWN = 120;

function thumbnail(runId: string, file: SamplesFile, s: Sample, scale: number): HTMLElement {
  const t = file.thumbnails;
  if (!t) return h('div', { class: 'thumb missing' }, '?');
  const col = s.index % t.columns, row = Math.floor(s.index / t.columns);
  const el = h('div', { class: 'thumb' });
  el.style.width = `${t.tileWidth * scale}px`;
  el.style.height = `${t.tileHeight * scale}px`;
  el.style.backgroundImage = `url("${runFile(runId, t.file)}")`;
  el.style.backgroundSize = `${t.columns * t.tileWidth * scale}px auto`;
  el.style.backgroundPosition = `-${col * t.tileWidth * scale}px -${row * t.tileHeight * scale}px`;
  return el;
}

function scaleFor(file: SamplesFile, pixels: number): number {
  return Math.max(1, Math.round(pixels / Math.max(file.thumbnails?.tileWidth ?? pixels, 1)));
}

function details(runId: string, file: SamplesFile, s: Sample): HTMLElement {
  const name = (c: number) => file.classes[c] ?? String(c);
  return h('div', { class: 'sample-details' },
    thumbnail(runId, file, s, scaleFor(file, 224)),
    h('div', {},
      h('p', {}, `test sample ${s.index}: true `, h('b', {}, name(s.label)), ', predicted ', h('b', { class: s.label === s.predicted ? 'right' : 'wrong' }, name(s.predicted))),
      h('p', {}, `confidence ${fmt(s.confidence, 3)}, loss ${fmt(s.loss, 3)}`),
      h('ol', { class: 'top5' }, ...s.top5.map(([c, p]) => h('li', {}, `${name(c)} ${(100 * p).toFixed(1)}%`)))));
}

export function explorerPanel(runId: string, file: SamplesFile): HTMLElement {
  const classOptions = () => [h('option', { value: '' }, 'any'), ...file.classes.map((c, i) => h('option', { value: i }, c))];
  const trueSel = h('select', { id: 'filter-true' }, ...classOptions());
  const predSel = h('select', { id: 'filter-pred' }, ...classOptions());
  const errorsOnly = h('input', { type: 'checkbox', id: 'errors-only' });
  const sortSel = h('select', { id: 'sort' },
    h('option', { value: 'loss-desc' }, 'loss, highest first'), h('option', { value: 'confidence-desc' }, 'confidence, highest first'),
    h('option', { value: 'confidence-asc' }, 'confidence, lowest first'), h('option', { value: 'index' }, 'test order'));
  const grid = h('div', { class: 'grid', id: 'explorer-grid' });
  const count = h('span', { class: 'note' });
  const dialog = h('dialog', { id: 'sample-dialog' });
  const render = () => {
    const t = trueSel.value === '' ? -1 : Number(trueSel.value);
    const p = predSel.value === '' ? -1 : Number(predSel.value);
    const chosen = file.samples.filter((s) => (t < 0 || s.label === t) && (p < 0 || s.predicted === p) && (!errorsOnly.checked || s.label !== s.predicted));
    const [key, dir] = sortSel.value.split('-') as ['loss' | 'confidence' | 'index', string?];
    chosen.sort((a, b) => (dir === 'asc' ? a[key] - b[key] : dir === 'desc' ? b[key] - a[key] : a.index - b.index));
    count.textContent = `${chosen.length} of ${file.samples.length} samples${chosen.length > MAX_SHOWN ? `, first ${MAX_SHOWN} shown` : ''}`;
    grid.replaceChildren(...chosen.slice(0, MAX_SHOWN).map((s) => {
      const cell = h('button', { class: `cell ${s.label === s.predicted ? 'right' : 'wrong'}`, 'data-index': s.index, title: `${file.classes[s.label]} → ${file.classes[s.predicted]}` },
        thumbnail(runId, file, s, scaleFor(file, 48)), h('span', {}, fmt(s.confidence, 2)));
      cell.addEventListener('click', () => {
        dialog.replaceChildren(details(runId, file, s), h('button', { onclick: () => dialog.close() }, 'close'));
        dialog.showModal();
      });
      return cell;
    }));
  };
  for (const el of [trueSel, predSel, errorsOnly, sortSel]) el.addEventListener('change', render);
  render();
  return h('div', {},
    h('div', { class: 'toolbar' }, h('label', {}, 'true ', trueSel), h('label', {}, 'predicted ', predSel),
      h('label', {}, errorsOnly, ' errors only'), h('label', {}, 'sort ', sortSel), count),
    grid, dialog);
}

export function projectorPanel(runId: string, file: SamplesFile): HTMLElement {
  const layouts = (['tsne', 'pca'] as const).filter((k) => file.samples.some((s) => s[k]));
  if (layouts.length === 0) return h('p', { class: 'note' }, 'This run has no embedding of its features.');
  const method = h('select', { id: 'projection' }, ...layouts.map((k) => h('option', { value: k }, k === 'tsne' ? 't-SNE' : 'PCA')));
  const chart = h('div', { class: 'chart', 'data-chart': 'projector' });
  const hover = h('div', { id: 'projector-hover', class: 'hover-card' }, h('p', { class: 'note' }, 'Point at a sample to see its image.'));
  const render = async () => {
    const k = method.value as 'tsne' | 'pca';
    const points: ProjectorPoint[] = file.samples.filter((s) => s[k]).map((s) => ({
      x: s[k]![0], y: s[k]![1], class: file.classes[s.label] ?? String(s.label), predicted: file.classes[s.predicted] ?? String(s.predicted), i: s.index,
    }));
    const result = await draw(chart, projectorSpec(points, file.classes));
    result.view.addEventListener('mouseover', (_event, item) => {
      const datum = (item as { datum?: ProjectorPoint } | null | undefined)?.datum;
      const s = datum ? file.samples.find((x) => x.index === datum.i) : undefined;
      if (s) hover.replaceChildren(details(runId, file, s));
    });
  };
  method.addEventListener('change', () => void render());
  void render();
  return h('div', {}, h('div', { class: 'toolbar' }, h('label', {}, 'projection ', method),
    h('span', { class: 'note' }, 'penultimate-layer features of the first test samples; crosses are misclassified')),
  h('div', { class: 'side-by-side' }, chart, hover));
}
