// The standard figures of a classification run, written into its directory in one call,
// returning the list writeReport expects.
import path from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { learningCurvesPng, confusionMatrixPng, perClassAccuracyPng, scatterPng, type HistoryEntry } from './charts.js';
import type { ReportFigure } from './html.js';

export interface StandardFigureInputs {
  classNames: readonly string[];
  history?: readonly HistoryEntry[];
  /** Test-set confusion matrix, rows true classes. */
  confusion?: readonly (readonly number[])[];
  /** Per-class accuracy; when left out it is read off the confusion matrix's diagonal. */
  perClassAccuracy?: readonly number[];
  /** A 2-D embedding of test features (e.g. from metrics' tsne) and the samples' true classes. */
  embedding?: { points: Float32Array; labels: ArrayLike<number> };
}

/** Saves a figure atomically into a directory and records it (for the run's file list and its report page). */
export type SaveFigure = (file: string, name: string, png: Buffer) => Promise<void>;

export function figureSaver(dir: string, files: string[], figures: ReportFigure[]): SaveFigure {
  return async (file, name, png) => {
    await writeFileAtomic(path.join(dir, file), png, { createParentDir: true });
    files.push(file);
    figures.push({ name, file });
  };
}

/** Writes learning-curves.png, confusion-matrix.png, per-class-accuracy.png and embedding.png for the inputs given. */
export async function writeStandardFigures(runDir: string, inputs: StandardFigureInputs): Promise<ReportFigure[]> {
  const figures: ReportFigure[] = [];
  const save = async (file: string, name: string, png: Promise<Buffer>) => {
    await writeFileAtomic(path.join(runDir, file), await png, { createParentDir: true });
    figures.push({ name, file });
  };
  if (inputs.history && inputs.history.length > 0) await save('learning-curves.png', 'Learning curves', learningCurvesPng(inputs.history));
  if (inputs.confusion) {
    await save('confusion-matrix.png', 'Confusion matrix (share of each true class)', confusionMatrixPng(inputs.confusion, inputs.classNames, { normalize: true }));
  }
  const perClass = inputs.perClassAccuracy ?? inputs.confusion?.map((row, c) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n === 0 ? NaN : row[c]! / n;
  });
  if (perClass) await save('per-class-accuracy.png', 'Accuracy per class', perClassAccuracyPng(perClass, inputs.classNames));
  if (inputs.embedding) {
    await save('embedding.png', 'Test features embedded with t-SNE', scatterPng(inputs.embedding.points, inputs.embedding.labels, inputs.classNames));
  }
  return figures;
}
