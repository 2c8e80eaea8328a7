// Grad-CAM for the run report: test images the model got right and images it got wrong,
// each shown as the image and, below it, the Grad-CAM map of the predicted class over it.
// Grad-CAM weighs feature maps by gradients of the class score with respect to those
// maps, so it is the same whether the network's inputs are normalised or not; the
// normalisation is only undone to show the images.
import { type Tensor, tidy, keep, cat, tensor } from '../../torch/index.js';
import type { Module } from '../../nn/index.js';
import { imageGrid, type DataLoader } from '../../data/index.js';
import { inEvalMode, type ExtraFigure } from '../../train/index.js';
import { gradCam, lastConvolution } from './grad-cam.js';
import { heatmapOverlay } from './heatmap.js';

export interface GradCamFigureOptions {
  model: Module;
  testData: DataLoader;
  classNames: readonly string[];
  /** The loaders' standardisation, undone for display (null: inputs are [0, 1] pixels). */
  normalize: { mean: readonly number[]; std: readonly number[] } | null;
  /** Images of each kind, right and wrong (default 8). */
  perKind?: number;
}

/** The Grad-CAM grid, or nothing for models without a 2-D convolution (an MLP). */
export async function gradCamFigure(o: GradCamFigureOptions): Promise<ExtraFigure[]> {
  try {
    lastConvolution(o.model);
  } catch {
    return [];
  }
  const per = o.perKind ?? 8;
  const right: Tensor[] = [], wrong: Tensor[] = [];
  const captions: { right: string[]; wrong: string[] } = { right: [], wrong: [] };
  const device = o.model.parameters()[0]?.device ?? 'cpu';
  try {
    await inEvalMode(o.model, async () => {
      for await (const batch of o.testData.iterate(0)) {
        try {
          const x = batch.inputs.to(device);
          const y = batch.targets.toFlatArray();
          const maps = gradCam(o.model, x);
          const pred = tidy(() => o.model.call(x).argmax(1).toFlatArray());
          for (let i = 0; i < y.length; i++) {
            const ok = pred[i] === y[i];
            const bucket = ok ? right : wrong;
            if (bucket.length >= per) continue;
            bucket.push(keep(tidy(() => cat([x.narrow(0, i, 1), maps.narrow(0, i, 1).unsqueeze(1)], 1).cpu())));
            (ok ? captions.right : captions.wrong).push(ok ? o.classNames[y[i]!]! : `${o.classNames[y[i]!]} → ${o.classNames[pred[i]!]}`);
          }
          maps.dispose();
          if (right.length >= per && wrong.length >= per) break;
        } finally {
          batch.inputs.dispose();
          batch.targets.dispose();
        }
      }
    });
    const cells = [...right, ...wrong];
    if (!cells.length) return [];
    const grid = tidy(() => {
      const both = cat(cells);
      const c = both.shape[1]! - 1;
      const images = shown(both.narrow(1, 0, c), o.normalize);
      const overlays = heatmapOverlay(images, both.select(1, c), 0.5);
      const rgb = images.shape[1] === 1 ? images.expand(-1, 3, -1, -1) : images;
      // Each image above its map: rows of images and rows of maps, interleaved by chunk.
      const n = cells.length, cols = Math.min(n, per);
      const rows: Tensor[] = [];
      for (let start = 0; start < n; start += cols) {
        const m = Math.min(cols, n - start);
        rows.push(rgb.narrow(0, start, m), overlays.narrow(0, start, m));
      }
      return keep(cat(rows));
    });
    try {
      const names = [...captions.right, ...captions.wrong];
      const cols = Math.min(cells.length, per);
      const gridCaptions: string[] = [];
      const colours: string[] = [];
      for (let start = 0; start < names.length; start += cols) {
        const chunk = names.slice(start, start + cols);
        const colour = chunk.map((_, j) => (start + j < captions.right.length ? 'green' : 'red'));
        gridCaptions.push(...chunk, ...chunk.map(() => 'Grad-CAM'));
        colours.push(...colour, ...colour);
      }
      const png = await imageGrid(grid, { cols, captions: gridCaptions, captionColors: colours });
      return [{
        file: 'grad_cam.png', png,
        title: `Grad-CAM of the predicted class on test images: ${captions.right.length} right (green), ${captions.wrong.length} wrong (red, true → predicted)`,
      }];
    } finally {
      grid.dispose();
    }
  } finally {
    for (const t of [...right, ...wrong]) t.dispose();
  }
}

/** Inputs back in [0, 1] for display: the standardisation undone, or a min-max stretch. */
function shown(x: Tensor, normalize: GradCamFigureOptions['normalize']): Tensor {
  if (normalize && normalize.mean.length === x.shape[1]) {
    const shape = [1, x.shape[1]!, 1, 1];
    return x.mul(tensor(Float32Array.from(normalize.std), { shape })).add(tensor(Float32Array.from(normalize.mean), { shape })).clamp(0, 1);
  }
  const lo = x.min().item(), hi = x.max().item();
  return lo >= 0 && hi <= 1 ? x : x.sub(lo).div(Math.max(hi - lo, 1e-12));
}
