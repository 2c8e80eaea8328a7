// visionlab predict RUN IMAGE...: the class of each image file with the top probabilities.
import { stack, tidy, type Tensor } from '../torch/index.js';
import { predict } from '../train/index.js';
import { decodeImage } from '../data/index.js';
import { openRun, runClassificationTask } from '../experiment/index.js';
import { parseCommandArgs, positiveInt, str, UsageError, type Command } from './args.js';
import { writeSubmission } from './submission.js';

export const predictCommand: Command = {
  name: 'predict',
  summary: 'classify image files with a finished run\'s model',
  usage: `visionlab predict RUN IMAGE... [--top K]

Decodes each IMAGE, resizes it to the run's image size and channels, applies the
run's test transforms and prints the predicted label and the top-K probabilities
(averaged over the views of the run's test-time augmentation, where its config has tta).

  --top K   how many probabilities to show (default 3)

visionlab predict SEG_RUN DIR --submission FILE [--labels-run RUN] [--threshold T]

Writes the scenes submission for every image in DIR: two rows per image, its label
vector and its foreground mask, run-length encoded. Labels come from the multi-label
RUN (threshold T, default 0.15, with top-1 fallback) or else from the predicted mask.`,
  async run(argv) {
    const a = parseCommandArgs('predict', argv, {
      top: { type: 'string' }, submission: { type: 'string' }, 'labels-run': { type: 'string' }, threshold: { type: 'string' },
    });
    if (a.help) return void console.log(this.usage);
    const submission = str(a.values.submission);
    if (submission !== undefined) {
      if (a.positionals.length !== 2) throw new UsageError('predict --submission: expected a RUN directory and one folder of images');
      const threshold = a.values.threshold === undefined ? undefined : Number(a.values.threshold);
      if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new UsageError(`--threshold must be a number in [0, 1], got '${String(a.values.threshold)}'`);
      const labelsRun = str(a.values['labels-run']);
      const n = await writeSubmission({
        runDir: a.positionals[0]!, imagesDir: a.positionals[1]!, out: submission, ...(labelsRun ? { labelsRun } : {}), ...(threshold !== undefined ? { threshold } : {}),
      });
      return void console.log(`wrote ${2 * n} rows for ${n} images to ${submission}`);
    }
    if (a.positionals.length < 2) throw new UsageError('predict: expected a RUN directory and at least one IMAGE (see visionlab predict --help)');
    const [dir, ...files] = a.positionals as [string, ...string[]];
    const run = await openRun(dir);
    const [c, h, w] = run.info.imageShape;
    const names = run.info.classNames;
    const k = Math.min(positiveInt(a.values.top, '--top') ?? 3, names.length);
    const images: Tensor[] = [];
    for (const f of files) images.push(await decodeImage(f, { channels: c as 1 | 3, size: [h, w] }));
    const x = tidy(() => run.testTransform.apply(stack(images)));
    for (const t of images) t.dispose();
    const predicted = await predict(run.model, x, { task: runClassificationTask(run), device: run.config.device });
    const probs = predicted.probs.toArray() as number[][];
    x.dispose();
    predicted.probs.dispose();
    files.forEach((file, i) => {
      const p = probs[i]!;
      const order = p.map((v, j) => [v, j] as const).sort((x, y) => y[0] - x[0]).slice(0, k);
      const top = order.map(([v, j]) => `${names[j]} ${v.toFixed(4)}`).join(', ');
      console.log(`${file}: ${names[order[0]![1]]} (${top})`);
    });
  },
};
