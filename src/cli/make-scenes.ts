// visionlab make-scenes --out DIR: writes the scenes data set (Fashion-MNIST garments on
// textured backgrounds, VOC folder layout) for multi-label classification and segmentation.
import { makeScenes } from '../data/index.js';
import { parseCommandArgs, positiveInt, str, UsageError, type Command } from './args.js';

function count(value: string | boolean | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new UsageError(`${flag} must be a non-negative integer, got '${String(value)}'`);
  return Number(value);
}

export const makeScenesCommand: Command = {
  name: 'make-scenes',
  summary: 'write the seeded scenes data set (VOC layout) for multi-label and segmentation',
  usage: `visionlab make-scenes --out DIR [--seed N] [--size PX] [--train N] [--val N] [--test N] [--max-objects N]

Writes DIR/JPEGImages, SegmentationClass (palette masks, 255 = ignore ring), Annotations,
ImageSets/Main and ImageSets/Segmentation (train, val, test) and classes.txt: colour
canvases holding 0 to 4 tinted Fashion-MNIST garments (sides 16 to 48 px) on textured
backgrounds. The same seed gives the same files.

  --out DIR          destination folder (created)
  --seed N           default 0
  --size PX          canvas side in pixels (default 64)
  --train/--val/--test N   scenes per split (default 2000 / 400 / 400)
  --max-objects N    at most this many garments per scene (default 4)`,
  async run(argv) {
    const a = parseCommandArgs('make-scenes', argv, {
      out: { type: 'string' }, seed: { type: 'string' }, size: { type: 'string' },
      train: { type: 'string' }, val: { type: 'string' }, test: { type: 'string' }, 'max-objects': { type: 'string' },
    });
    if (a.help) return void console.log(this.usage);
    const out = str(a.values.out);
    if (!out) throw new UsageError('make-scenes: --out DIR is required (see visionlab make-scenes --help)');
    if (a.positionals.length > 0) throw new UsageError(`make-scenes: unexpected argument '${a.positionals[0]}'`);
    const counts: Record<string, number> = {};
    for (const split of ['train', 'val', 'test']) {
      const n = count(a.values[split], `--${split}`);
      if (n !== undefined) counts[split] = n;
    }
    const seed = count(a.values.seed, '--seed');
    const size = positiveInt(a.values.size, '--size');
    const maxObjects = count(a.values['max-objects'], '--max-objects');
    const t0 = performance.now();
    const s = await makeScenes(out, {
      counts, ...(seed !== undefined ? { seed } : {}), ...(size !== undefined ? { size } : {}), ...(maxObjects !== undefined ? { maxObjects } : {}),
    });
    console.log(`wrote ${s.counts.train} train, ${s.counts.val} val and ${s.counts.test} test scenes to ${s.root} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    console.log(`scenes per class: ${s.classNames.slice(1).map((c, i) => `${c} ${s.scenesPerClass[i + 1]}`).join(', ')}`);
  },
};
