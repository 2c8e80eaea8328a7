// The run report's figures of what a noisy-label or curriculum method did: the noise
// transition matrix it estimated beside the true one (when the noise was synthetic), and
// its per-epoch records (admitted share and its label precision, lambda, the histogram of
// self-paced weights).
import { confusionMatrixPng, heatmapPng, seriesPng, type ExtraFigure, type History } from '../train/index.js';
import type { SelfPacedEpochRecord } from './self-paced/index.js';

/** The estimated T[true][given] and, when known, the true one: one heatmap each. */
export async function transitionFigures(
  estimated: readonly (readonly number[])[], trueMatrix: readonly (readonly number[])[] | undefined, classNames: readonly string[], how: string,
): Promise<ExtraFigure[]> {
  const axes = { normalize: true, rowTitle: 'true class', columnTitle: 'given label', width: 560, height: 560 };
  const figures = [{
    file: 'transition_estimated.png', title: `Noise transition matrix P(given | true), estimated ${how}`,
    png: await confusionMatrixPng(estimated, classNames, { ...axes, title: 'Estimated transition matrix' }),
  }];
  if (trueMatrix) {
    figures.push({
      file: 'transition_true.png', title: 'Noise transition matrix P(given | true) of the synthetic noise',
      png: await confusionMatrixPng(trueMatrix, classNames, { ...axes, title: 'True transition matrix' }),
    });
  }
  return figures;
}

/**
 * Logged per-epoch values as curves: `series` maps a curve's caption to its key in the
 * epoch logs. No figure when none of the keys was logged.
 */
export async function recordsFigure(
  history: History, series: Readonly<Record<string, string>>, figure: { file: string; title: string; yTitle: string; percent?: boolean },
): Promise<ExtraFigure[]> {
  const epochs = history.epochs.map((e) => e.epoch + 1);
  const curves = Object.fromEntries(Object.entries(series).map(([caption, key]) => [caption, history.epochs.map((e) => e[key] ?? NaN)]));
  if (!epochs.length || Object.values(curves).every((c) => c.every((v) => !Number.isFinite(v)))) return [];
  const png = await seriesPng(epochs, curves, { xTitle: 'epoch', yTitle: figure.yTitle, ...(figure.percent ? { percent: true } : {}) });
  return [{ file: figure.file, title: figure.title, png }];
}

/** Self-paced learning: lambda per epoch, and the share of samples in each weight bin per epoch. */
export async function selfPacedFigures(records: readonly SelfPacedEpochRecord[]): Promise<ExtraFigure[]> {
  if (!records.length) return [];
  const figures: ExtraFigure[] = [];
  const epochs = records.map((r) => r.epoch + 1);
  if (records.some((r) => Number.isFinite(r.lambda))) {
    figures.push({
      file: 'self_paced_lambda.png', title: 'Self-paced age parameter lambda per epoch (none in warm-up epochs)',
      png: await seriesPng(epochs, { lambda: records.map((r) => r.lambda) }, { xTitle: 'epoch', yTitle: 'lambda' }),
    });
  }
  const bins = records[0]!.histogram.length;
  const binNames = Array.from({ length: bins }, (_, b) => `${(b / bins).toFixed(1)}–${((b + 1) / bins).toFixed(1)}`);
  const shares = records.map((r) => {
    const total = r.histogram.reduce((a, b) => a + b, 0);
    return r.histogram.map((c) => (total ? c / total : 0));
  });
  figures.push({
    file: 'self_paced_weights.png', title: 'Share of training samples per self-paced weight, by epoch',
    png: await heatmapPng(shares, epochs.map((e) => `epoch ${e}`), binNames, { rowTitle: 'epoch', columnTitle: 'sample weight v', legendTitle: 'share of samples' }),
  });
  return figures;
}
