// report.html: one self-contained page per run (inline CSS, no scripts, no network),
// showing the metrics, the classification report, the history and the figures, which
// it references by relative path so the run directory can be moved or zipped as is.
import { existsSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { ClassificationReport, ReportRow } from '../../metrics/index.js';
import { formatFixed } from '../../metrics/index.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import type { HistoryEntry } from './charts.js';

/** A PNG (or other image) in the run directory; `file` is relative to it. */
export interface ReportFigure { name: string; file: string }

export interface ReportContent {
  title: string;
  /** The run's configuration, shown as YAML. */
  config?: unknown;
  history?: readonly HistoryEntry[];
  /** Final numbers, e.g. { testAccuracy: 0.91, testLoss: 0.3 }. */
  metrics?: Readonly<Record<string, number | string | boolean | null | undefined>>;
  classificationReport?: ClassificationReport;
  figures?: readonly ReportFigure[];
}

const STYLE = `
body { font-family: 'DejaVu Sans', Verdana, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.generated { color: #777; font-size: .85rem; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { padding: .25rem .7rem; border-bottom: 1px solid #eee; }
th { text-align: left; background: #f6f6f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.summary td { border-top: 2px solid #ccc; }
pre { background: #f6f8fa; padding: .8rem; overflow-x: auto; font-size: .85rem; }
figure { margin: 1rem 0 2rem; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: .9rem; }
.scroll { max-height: 420px; overflow-y: auto; display: inline-block; }
`;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** 'testAccuracy' → 'test accuracy', 'val_loss' → 'val loss'. */
function humanize(key: string): string {
  return key.replace(/_/g, ' ').replace(/([a-z0-9])([A-Z])/g, (_, a: string, b: string) => `${a} ${b.toLowerCase()}`);
}

function formatValue(v: unknown): string {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    if (!Number.isFinite(v)) return String(v);
    return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? formatFixed(v, 4) : v.toExponential(3);
  }
  if (v === null || v === undefined) return '—';
  return String(v);
}

function metricsTable(metrics: NonNullable<ReportContent['metrics']>): string {
  const rows = Object.entries(metrics).map(([k, v]) =>
    `<tr><th title="${escapeHtml(k)}">${escapeHtml(humanize(k))}</th><td class="num">${escapeHtml(formatValue(v))}</td></tr>`);
  return `<table class="metrics">${rows.join('')}</table>`;
}

function reportTable(r: ClassificationReport): string {
  const f = (x: number) => formatFixed(x, 3);
  const row = (x: ReportRow, cls = '') =>
    `<tr${cls}><td>${escapeHtml(x.name)}</td><td class="num">${f(x.precision)}</td><td class="num">${f(x.recall)}</td><td class="num">${f(x.f1)}</td><td class="num">${x.support}</td></tr>`;
  return `<table class="classification-report">
<tr><th>class</th><th>precision</th><th>recall</th><th>f1-score</th><th>support</th></tr>
${r.classes.map((c) => row(c)).join('\n')}
<tr class="summary"><td>accuracy</td><td></td><td></td><td class="num">${f(r.accuracy)}</td><td class="num">${r.macroAvg.support}</td></tr>
${row(r.macroAvg)}
${row(r.weightedAvg)}
</table>
<details><summary>as text</summary><pre>${escapeHtml(r.text)}</pre></details>`;
}

function historyTable(history: readonly HistoryEntry[]): string {
  const keys: string[] = [];
  for (const h of history) for (const [k, v] of Object.entries(h)) if (typeof v === 'number' && !keys.includes(k)) keys.push(k);
  const head = keys.map((k) => `<th>${escapeHtml(humanize(k))}</th>`).join('');
  const body = history.map((h) => `<tr>${keys.map((k) => `<td class="num">${escapeHtml(formatValue((h as unknown as Record<string, unknown>)[k]))}</td>`).join('')}</tr>`);
  return `<div class="scroll"><table class="history"><tr>${head}</tr>${body.join('\n')}</table></div>`;
}

function figureHref(runDir: string, fig: ReportFigure, index: number): string {
  if (!fig || typeof fig.file !== 'string' || typeof fig.name !== 'string') throw new TypeError(`writeReport: figures[${index}] needs a name and a file`);
  const absolute = path.resolve(runDir, fig.file);
  const relative = path.relative(path.resolve(runDir), absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new RangeError(`writeReport: figure '${fig.name}' (${fig.file}) is outside the run directory ${runDir}; the report must travel with its files`);
  }
  if (!existsSync(absolute)) throw new Error(`writeReport: figure '${fig.name}' file ${absolute} does not exist`);
  return relative.split(path.sep).map(encodeURIComponent).join('/');
}

/** Builds the page's HTML (exported for previews and tests; writeReport writes it). */
export function renderReportHtml(runDir: string, content: ReportContent): string {
  if (!content || typeof content.title !== 'string') throw new TypeError('writeReport: content.title must be a string');
  const sections: string[] = [];
  if (content.metrics && Object.keys(content.metrics).length > 0) sections.push(`<h2>Metrics</h2>\n${metricsTable(content.metrics)}`);
  if (content.classificationReport) sections.push(`<h2>Classification report</h2>\n${reportTable(content.classificationReport)}`);
  const figures = (content.figures ?? []).map((fig, i) =>
    `<figure><img src="${escapeHtml(figureHref(runDir, fig, i))}" alt="${escapeHtml(fig.name)}"><figcaption>${escapeHtml(fig.name)}</figcaption></figure>`);
  if (figures.length > 0) sections.push(`<h2>Figures</h2>\n${figures.join('\n')}`);
  if (content.history && content.history.length > 0) sections.push(`<h2>History</h2>\n${historyTable(content.history)}`);
  if (content.config !== undefined) sections.push(`<h2>Configuration</h2>\n<pre>${escapeHtml(YAML.stringify(content.config))}</pre>`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(content.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(content.title)}</h1>
<p class="generated">Generated ${new Date().toISOString()}</p>
${sections.join('\n\n')}
</body>
</html>
`;
}

/** Writes runDir/report.html atomically and returns its path. Every figure file must already exist in runDir. */
export async function writeReport(runDir: string, content: ReportContent): Promise<string> {
  const html = renderReportHtml(runDir, content);
  const file = path.join(runDir, 'report.html');
  await writeFileAtomic(file, html, { createParentDir: true });
  return file;
}
