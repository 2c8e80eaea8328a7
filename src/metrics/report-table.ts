// scikit-learn's classification_report: per-class precision, recall, F1 and support,
// with accuracy and macro/weighted averages, as a structure and as its familiar text.
import { type LabelsLike, toLabels } from './inputs.js';
import { precisionRecallF1 } from './classification.js';

export interface ReportRow { name: string; precision: number; recall: number; f1: number; support: number }
export interface ClassificationReport {
  classes: ReportRow[];
  accuracy: number;
  macroAvg: ReportRow;
  weightedAvg: ReportRow;
  /** The table formatted exactly like sklearn.metrics.classification_report(..., labels=range(K), target_names=classNames). */
  text: string;
}

export function classificationReport(
  yTrue: LabelsLike, yPred: LabelsLike, classNames: readonly string[], opts: { digits?: number } = {},
): ClassificationReport {
  const digits = opts.digits ?? 2;
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) throw new RangeError(`classificationReport: digits must be an integer in [0, 20], got ${digits}`);
  if (classNames.length === 0) throw new RangeError('classificationReport: classNames is empty');
  const t = toLabels(yTrue, 'classificationReport: yTrue');
  const p = toLabels(yPred, 'classificationReport: yPred');
  const s = precisionRecallF1(t, p, classNames.length);
  const classes = classNames.map((name, c) => ({
    name, precision: s.precision[c]!, recall: s.recall[c]!, f1: s.f1[c]!, support: s.support[c]!,
  }));
  const macroAvg = { name: 'macro avg', ...s.macro, support: s.total };
  const weightedAvg = { name: 'weighted avg', ...s.weighted, support: s.total };
  return { classes, accuracy: s.accuracy, macroAvg, weightedAvg, text: formatReport(classes, s.accuracy, s.total, macroAvg, weightedAvg, digits) };
}

function formatReport(rows: ReportRow[], acc: number, total: number, macro: ReportRow, weighted: ReportRow, digits: number): string {
  const width = Math.max(...rows.map((r) => r.name.length), 'weighted avg'.length, digits);
  const cell = (s: string) => ' ' + s.padStart(9);
  const num = (x: number) => cell(formatFixed(x, digits));
  const line = (r: ReportRow) => r.name.padStart(width) + ' ' + num(r.precision) + num(r.recall) + num(r.f1) + cell(String(r.support)) + '\n';
  let out = ''.padStart(width) + ' ' + ['precision', 'recall', 'f1-score', 'support'].map(cell).join('') + '\n\n';
  for (const r of rows) out += line(r);
  out += '\n';
  out += 'accuracy'.padStart(width) + ' ' + cell('') + cell('') + num(acc) + cell(String(total)) + '\n';
  out += line(macro) + line(weighted);
  return out;
}

/**
 * Fixed-point formatting that rounds exact ties to even, as Python's format() does
 * (Python prints 0.125 as '0.12'; JavaScript's toFixed gives '0.13').
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return String(x).toLowerCase().replace('infinity', 'inf');
  // toFixed(100) is the exact decimal expansion for every double with |x| >= 2^-47 that
  // could sit on a tie, so a tie shows as a 5 followed only by zeros.
  const exact = Math.abs(x).toFixed(100);
  const point = exact.indexOf('.');
  const rest = exact.slice(point + 1 + digits);
  if (rest[0] !== '5' || !/^50*$/.test(rest)) return x.toFixed(digits);
  const kept = exact.slice(0, point + 1 + digits).replace(/\.$/, '');
  const lastDigit = Number(kept[kept.length - 1]);
  const truncated = Number(kept);
  const step = 10 ** -digits;
  const magnitude = lastDigit % 2 === 0 ? truncated : truncated + step;
  return (x < 0 ? '-' : '') + magnitude.toFixed(digits);
}
