// The most suspicious labels at a glance: the images of the top issues in a grid, each
// captioned "given → suggested", least self-confident first.
import type { Dataset } from '../../data/index.js';
import { writeImageGrid } from '../../data/image-grid.js';
import type { LabelIssue } from './confident-learning.js';

/** Writes a PNG of the first `top` issues' images (from `dataset`, the training split the indices address). */
export async function writeLabelIssueGrid(file: string, dataset: Dataset, issues: readonly LabelIssue[], classNames: readonly string[], top = 32): Promise<number> {
  const shown = issues.slice(0, top);
  if (shown.length === 0) return 0;
  const batch = dataset.getBatch(shown.map((x) => x.index));
  try {
    const [, , h, w] = batch.inputs.shape as [number, number, number, number];
    const captions = shown.map((x) => `${classNames[x.given] ?? x.given} → ${classNames[x.suggested] ?? x.suggested}`);
    // Cells at least 160 pixels wide leave room for two class names and the arrow
    // ("T-shirt/top → Ankle boot" at 11 pixels).
    const scale = Math.max(1, Math.ceil(160 / Math.max(h, w)));
    await writeImageGrid(file, batch.inputs, { captions, scale, fontSize: 11, cols: Math.min(8, shown.length) });
  } finally {
    batch.inputs.dispose();
    batch.targets.dispose();
  }
  return shown.length;
}
