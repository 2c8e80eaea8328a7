// What confident learning leaves on disk, the same from a run (method confident-learning)
// and from visionlab label-issues: label-issues.csv, one line per issue, least
// self-confident first; noise-matrix.json, the estimated noise matrix (and the true one
// when the noise was synthetic) with its orientation spelled out, because P(given | true)
// is easy to read transposed.
import path from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.js';
import type { ConfidentLearningResult, IssueDetectionScores, LabelIssue } from './confident-learning.js';

export const LABEL_ISSUES_CSV = 'label-issues.csv';
export const NOISE_MATRIX_JSON = 'noise-matrix.json';
export const LABEL_ISSUES_HEADER = 'index,given,given_name,suggested,suggested_name,confidence';

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function className(classNames: readonly string[], c: number): string {
  const s = classNames[c];
  if (s === undefined) throw new RangeError(`label issues: class ${c} has no name (${classNames.length} class names)`);
  return s;
}

/** The CSV text: class indices and names; confidence is the probability of the given label. */
export function labelIssuesCsv(issues: readonly LabelIssue[], classNames: readonly string[]): string {
  const rows = issues.map((x) => [
    x.index, x.given, csvField(className(classNames, x.given)), x.suggested, csvField(className(classNames, x.suggested)), x.confidence.toPrecision(6),
  ].join(','));
  return `${[LABEL_ISSUES_HEADER, ...rows].join('\n')}\n`;
}

/** Estimated share of wrong labels: the off-diagonal mass of the estimated joint. */
export function estimatedNoiseRate(joint: readonly (readonly number[])[]): number {
  return 1 - joint.reduce((a, row, i) => a + row[i]!, 0);
}

export interface NoiseMatrixReport {
  classNames: readonly string[];
  result: ConfidentLearningResult;
  /** The transition matrix of synthetic noise, T[true][given], when it is known. */
  trueMatrix?: readonly (readonly number[])[];
  detection?: IssueDetectionScores;
  /** Where the probabilities came from (folds, epochs), recorded as given. */
  details?: Record<string, unknown>;
}

export function noiseMatrixJson(r: NoiseMatrixReport): string {
  const round = (m: readonly (readonly number[])[]) => m.map((row) => row.map((v) => Number(v.toPrecision(6))));
  const detection = r.detection && Object.fromEntries(Object.entries(r.detection).map(([k, v]) => [k, Number.isNaN(v) ? null : v]));
  return `${JSON.stringify({
    orientation: 'estimated[j][i] = P(given label = i | true label = j): rows are true classes, columns given labels, rows sum to 1',
    classNames: r.classNames,
    estimated: round(r.result.noiseMatrix),
    ...(r.trueMatrix ? { true: round(r.trueMatrix) } : {}),
    estimatedNoiseRate: Number(estimatedNoiseRate(r.result.joint).toPrecision(6)),
    confidentJoint: { orientation: 'counts[i][j]: samples with given label i confidently of class j', counts: r.result.counts },
    thresholds: Array.from(r.result.thresholds, (t) => (Number.isFinite(t) ? Number(t.toPrecision(6)) : null)),
    issues: r.result.issues.length,
    ...(detection ? { detection } : {}),
    ...(r.details ? { details: r.details } : {}),
  }, null, 2)}\n`;
}

/** Writes label-issues.csv and noise-matrix.json into dir atomically; returns their paths. */
export async function writeLabelIssueFiles(dir: string, r: NoiseMatrixReport): Promise<{ csv: string; json: string }> {
  const csv = path.join(dir, LABEL_ISSUES_CSV);
  const json = path.join(dir, NOISE_MATRIX_JSON);
  await writeFileAtomic(csv, labelIssuesCsv(r.result.issues, r.classNames), { createParentDir: true });
  await writeFileAtomic(json, noiseMatrixJson(r), { createParentDir: true });
  return { csv, json };
}

/** A matrix as aligned text with class names on both sides, for the terminal. */
export function formatMatrix(m: readonly (readonly number[])[], classNames: readonly string[], digits = 3): string {
  const w = Math.max(digits + 2, ...classNames.map((c) => c.length));
  const rowW = Math.max(...classNames.map((c) => c.length));
  const head = `${' '.repeat(rowW)}  ${classNames.map((c) => c.padStart(w)).join(' ')}`;
  return [head, ...m.map((row, j) => `${classNames[j]!.padEnd(rowW)}  ${row.map((v) => v.toFixed(digits).padStart(w)).join(' ')}`)].join('\n');
}
