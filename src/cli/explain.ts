// visionlab explain RUN IMAGE...: heat maps of why a finished run's model classifies
// each image as it does, written as one grid per method.
import path from 'node:path';
import { stack, cat, tidy, noGrad, Generator, type Tensor } from '../torch/index.js';
import { decodeImage, writeImageGrid } from '../data/index.js';
import { openRun } from '../experiment/index.js';
import { Victim } from '../methods/attacks/index.js';
import {
  gradCam, vanillaGradient, smoothGrad, integratedGradients, attributionMap, heatmapOverlay,
} from '../methods/explain/index.js';
import { parseCommandArgs, str, UsageError, type Command } from './args.js';

const METHODS = ['gradcam', 'saliency', 'smoothgrad', 'integrated-gradients'] as const;
type Method = (typeof METHODS)[number];

function heatMaps(method: Method, victim: Victim, x: Tensor, layer: string | undefined): Tensor {
  switch (method) {
    case 'gradcam': return gradCam(victim, x, layer ? { layer } : {});
    case 'saliency': return attributionMap(vanillaGradient(victim, x));
    case 'smoothgrad': return attributionMap(smoothGrad(victim, x, { generator: new Generator(0) }));
    case 'integrated-gradients': return attributionMap(integratedGradients(victim, x));
  }
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'heat maps of what a finished run\'s model looks at in image files',
  usage: `visionlab explain RUN IMAGE... [--method M,...] [--layer NAME] [--out DIR]

Decodes each IMAGE at the run's image size and writes, per method, a PNG grid of the
images with the explanation of the predicted class blended over them, captioned with
the label and its probability.

  --method LIST  any of ${METHODS.join(', ')} (default gradcam,saliency)
  --layer NAME   Grad-CAM's layer by dotted name (default: the last convolution)
  --out DIR      where the PNGs go (default RUN/explain)`,
  async run(argv) {
    const a = parseCommandArgs('explain', argv, { method: { type: 'string' }, layer: { type: 'string' }, out: { type: 'string' } });
    if (a.help) return void console.log(this.usage);
    if (a.positionals.length < 2) throw new UsageError('explain: expected a RUN directory and at least one IMAGE (see visionlab explain --help)');
    const methods = (str(a.values.method) ?? 'gradcam,saliency').split(',').map((s) => s.trim());
    for (const m of methods) if (!(METHODS as readonly string[]).includes(m)) throw new UsageError(`explain: --method '${m}' is not one of ${METHODS.join(', ')}`);
    const [dir, ...files] = a.positionals as [string, ...string[]];
    const run = await openRun(dir);
    const [c, h, w] = run.info.imageShape;
    const norm = run.config.transforms.normalize;
    const victim = new Victim(run.model, typeof norm === 'object' ? norm : null);
    const images: Tensor[] = [];
    for (const f of files) images.push(await decodeImage(f, { channels: c as 1 | 3, size: [h, w] }));
    const out = str(a.values.out) ?? path.join(run.dir, 'explain');
    const layer = str(a.values.layer);
    const x = tidy(() => victim.pixels(run.testTransform.apply(stack(images)).to(run.config.device)).clamp(0, 1));
    for (const t of images) t.dispose();
    try {
      const captions = tidy(() => noGrad(() => {
        const { values, indices } = victim.logits(x).softmax(1).max(1);
        const p = values.toFlatArray();
        return indices.toFlatArray().map((k, i) => `${run.info.classNames[k]} ${(100 * p[i]!).toFixed(0)}%`);
      }));
      for (const method of methods as Method[]) {
        // The images in colour on the first row, their overlays on the second.
        const grid = tidy(() => cat([x.expand(-1, 3, -1, -1), heatmapOverlay(x, heatMaps(method, victim, x, layer))]));
        const file = path.join(out, `${method}.png`);
        try {
          const scale = Math.max(1, Math.ceil(96 / Math.max(h, w)));
          await writeImageGrid(file, grid, { cols: files.length, captions: [...captions, ...captions.map(() => method)], scale });
        } finally {
          grid.dispose();
        }
        console.log(`${method}: ${file}`);
      }
    } finally {
      x.dispose();
    }
  },
};
