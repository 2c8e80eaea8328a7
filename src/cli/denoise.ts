// visionlab denoise RUN IMAGE... --out DIR: a denoising run's model applied to image files.
import path from 'node:path';
import { stack, tidy, noGrad, keep, type Tensor } from '../torch/index.js';
import { decodeImage, writeImage, Rng } from '../data/index.js';
import { openRun, buildNoise } from '../experiment/index.js';
import { parseCommandArgs, str, UsageError, type Command } from './args.js';

export const denoiseCommand: Command = {
  name: 'denoise',
  summary: 'denoise image files with a finished denoising run\'s model',
  usage: `visionlab denoise RUN IMAGE... --out DIR [--add-noise]

Decodes each IMAGE at the run's image size and channels, passes it through the run's
model and writes the result as DIR/<name>.png.

  --out DIR      where the denoised images go (created if missing)
  --add-noise    first corrupt each image with the run's own noise (config.noise,
                 seeded), writing it as DIR/<name>-noisy.png: a quick look at what
                 the model does with the noise it was trained on`,
  async run(argv) {
    const a = parseCommandArgs('denoise', argv, { out: { type: 'string' }, 'add-noise': { type: 'boolean' } });
    if (a.help) return void console.log(this.usage);
    if (a.positionals.length < 2) throw new UsageError('denoise: expected a RUN directory and at least one IMAGE (see visionlab denoise --help)');
    const out = str(a.values.out);
    if (!out) throw new UsageError('denoise: --out DIR is required (where the denoised images are written)');
    const [dir, ...files] = a.positionals as [string, ...string[]];
    const run = await openRun(dir);
    if (run.config.task !== 'denoise') throw new UsageError(`denoise: ${dir} is a '${run.config.task}' run, not a denoising one (task: denoise)`);
    const [c, h, w] = run.info.imageShape;
    const decoded: Tensor[] = [];
    for (const f of files) decoded.push(await decodeImage(f, { channels: c as 1 | 3, size: [h, w] }));
    const { noisy, denoised } = tidy(() => noGrad(() => {
      let x = run.testTransform.apply(stack(decoded));
      const noisy = a.values['add-noise'] && run.config.noise ? keep(buildNoise(run.config.noise, run.config.seed).pair(x, new Rng(run.config.seed)).noisy) : undefined;
      if (noisy) x = noisy;
      return { noisy, denoised: keep(run.model.call(x.to(run.config.device)).clamp(0, 1).cpu()) };
    }));
    for (const t of decoded) t.dispose();
    const writeOne = async (file: string, batch: Tensor, i: number) => {
      const image = batch.select(0, i);
      try { await writeImage(file, image); } finally { image.dispose(); }
    };
    try {
      for (const [i, f] of files.entries()) {
        const stem = path.basename(f, path.extname(f));
        if (noisy) await writeOne(path.join(out, `${stem}-noisy.png`), noisy, i);
        const file = path.join(out, `${stem}.png`);
        await writeOne(file, denoised, i);
        console.log(`${f} -> ${file}`);
      }
    } finally {
      noisy?.dispose();
      denoised.dispose();
    }
  },
};
