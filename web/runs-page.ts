// The runs table: every run below the served folder, live (new runs and epochs arrive by
// server-sent events), sortable by any column, filtered by text, with a selection to
// compare.
import { h, fmt } from './dom.js';
import { subscribe, type RunEntry } from './api.js';

type Column = { key: keyof RunEntry; title: string; numeric?: boolean };

const COLUMNS: Column[] = [
  { key: 'name', title: 'run' }, { key: 'model', title: 'model' }, { key: 'data', title: 'data' },
  { key: 'status', title: 'status' }, { key: 'epochs', title: 'epochs', numeric: true },
  { key: 'metric', title: 'metric' }, { key: 'best', title: 'best', numeric: true }, { key: 'final', title: 'final', numeric: true },
  { key: 'test', title: 'test', numeric: true }, { key: 'secondsPerEpoch', title: 's / epoch', numeric: true },
];

export function runsPage(app: HTMLElement): () => void {
  let runs: RunEntry[] = [];
  let sortKey: keyof RunEntry = 'name';
  let descending = false;
  const selected = new Set<string>();
  const filter = h('input', { type: 'search', placeholder: 'filter runs (name, model, data, status)', id: 'filter', oninput: () => render() });
  const compare = h('button', { id: 'compare', onclick: () => { location.hash = `#/compare?${[...selected].map((id) => `run=${encodeURIComponent(id)}`).join('&')}`; } }, 'compare selected');
  const table = h('table', { id: 'runs' });
  app.replaceChildren(h('h1', {}, 'Runs'), h('div', { class: 'toolbar' }, filter, compare), table);

  function render(): void {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = runs
      .filter((r) => words.every((w) => [r.name, r.model, r.data, r.status, r.task].join(' ').toLowerCase().includes(w)))
      .sort((a, b) => {
        const x = a[sortKey], y = b[sortKey];
        const order = typeof x === 'number' && typeof y === 'number' ? x - y
          : x === null ? 1 : y === null ? -1 : String(x).localeCompare(String(y), undefined, { numeric: true });
        return descending ? -order : order;
      });
    for (const id of [...selected]) if (!runs.some((r) => r.id === id)) selected.delete(id);
    compare.disabled = selected.size === 0;
    const header = h('tr', {}, h('th', {}), ...COLUMNS.map((c) => h('th', {
      class: c.key === sortKey ? (descending ? 'sorted desc' : 'sorted asc') : '', 'data-key': c.key,
      onclick: () => {
        descending = c.key === sortKey ? !descending : !!c.numeric;
        sortKey = c.key;
        render();
      },
    }, c.title)));
    const rows = shown.map((r) => h('tr', { 'data-run': r.id },
      h('td', {}, h('input', {
        type: 'checkbox', checked: selected.has(r.id), 'aria-label': `select ${r.name}`,
        onchange: (e) => { if ((e.target as HTMLInputElement).checked) selected.add(r.id); else selected.delete(r.id); render(); },
      })),
      ...COLUMNS.map((c) => {
        const v = r[c.key];
        if (c.key === 'name') return h('td', {}, h('a', { href: `#/run/${encodeURIComponent(r.id)}` }, r.id));
        if (c.key === 'status') return h('td', {}, h('span', { class: `status ${r.status}` }, r.status));
        return h('td', { class: c.numeric ? 'num' : '' }, c.numeric ? (c.key === 'epochs' ? String(v) : fmt(v as number | null, c.key === 'secondsPerEpoch' ? 1 : 4)) : String(v ?? ''));
      })));
    table.replaceChildren(h('thead', {}, header), h('tbody', {}, ...rows));
    if (shown.length === 0) table.append(h('caption', {}, runs.length ? 'no run matches the filter' : 'no runs yet: train one with visionlab train CONFIG'));
  }

  return subscribe('/api/events', {
    runs: (data) => {
      runs = data as RunEntry[];
      render();
    },
  });
}
