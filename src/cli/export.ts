// visionlab export RUN --format onnx|web --out PATH: a finished run's model (classifier,
// segmentation or denoiser) as an ONNX file, or a classifier or segmentation model as a
// static web page that runs it on images in the browser.
import path from 'node:path';
import { zeros } from '../torch/index.js';
import { openRun, type OpenedRun, type ExperimentConfig } from '../experiment/index.js';
import { exportOnnx, exportOnnxFile, writeWebPage, type OnnxExportOptions, type OnnxOutputKind } from '../export/index.js';
import { parseCommandArgs, str, UsageError, type Command } from './args.js';

const FORMATS = ['onnx', 'web'] as const;
type Format = (typeof FORMATS)[number];

/** What each task's model outputs, as the ONNX metadata states it. */
const OUTPUT_KINDS: Record<ExperimentConfig['task'], OnnxOutputKind> = {
  classification: 'logits', multilabel: 'logits', segmentation: 'pixel-logits', denoise: 'image',
};

/** The export options of a run: its normalisation (folded in), class names and output kind. */
export function runOnnxOptions(run: OpenedRun): OnnxExportOptions {
  const norm = run.config.transforms.normalize;
  const outputKind = OUTPUT_KINDS[run.config.task];
  return {
    // A denoiser's data set may have classes, but its output has none.
    ...(outputKind === 'image' ? {} : { classNames: run.info.classNames }),
    ...(typeof norm === 'object' ? { mean: norm.mean, std: norm.std } : {}),
    outputKind,
    metadata: { run: run.info.name, model: run.info.model, task: run.config.task },
  };
}

/** The output's shape as the CLI reports it, e.g. `logits [batch, 3, 64, 64]`. */
function describeOutput(run: OpenedRun, kind: OnnxOutputKind): string {
  const [, h, w] = run.inputShape;
  const classes = run.info.classNames.length;
  if (kind === 'image') return `image [batch, ${run.inputShape.join(', ')}]`;
  return kind === 'pixel-logits' ? `logits [batch, ${classes}, ${h}, ${w}]` : `logits [batch, ${classes}]`;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'export a finished run\'s model as ONNX or as a web page',
  usage: `visionlab export RUN --format onnx|web --out PATH

  --format onnx   writes an ONNX file (opset 17) to PATH: input 'input', float32
                  [batch, C, H, W] with values in [0, 1] (the run's normalisation is
                  part of the graph); output 'logits' [batch, classes] for classifiers,
                  'logits' [batch, classes, H, W] for segmentation, 'image'
                  [batch, C, H, W] for denoisers and autoencoders; class names, input
                  shape, mean, std and output_kind are in the file's metadata
  --format web    writes a static page into the folder PATH that runs the model in the
                  browser (onnxruntime-web, all files local): drop, choose or draw an
                  image and see the top-5 classes, or for segmentation runs the
                  predicted mask over the image with the classes it holds. Serve the
                  folder with any static file server (browsers do not run WebAssembly
                  from file:// pages). Not for denoising runs

The run's test transforms other than the normalisation (a resize, a crop) are not part
of the graph: callers give images at the input size the file's metadata states.`,
  async run(argv) {
    const a = parseCommandArgs('export', argv, { format: { type: 'string' }, out: { type: 'string' } });
    if (a.help) return void console.log(this.usage);
    if (a.positionals.length !== 1) throw new UsageError('export: expected one RUN directory (see visionlab export --help)');
    const format = str(a.values.format) ?? 'onnx';
    if (!FORMATS.includes(format as Format)) throw new UsageError(`export: --format must be ${FORMATS.join(' or ')}, got '${format}'`);
    const out = str(a.values.out);
    if (!out) throw new UsageError('export: --out PATH is required');
    const run = await openRun(a.positionals[0]!);
    if (run.config.device !== 'cpu') run.model.to('cpu');
    const sample = zeros([1, ...run.inputShape]);
    const options = runOnnxOptions(run);
    const kind = options.outputKind!;
    if (format === 'onnx') {
      await exportOnnxFile(out, run.model, sample, options);
      console.log(`wrote ${out}: input [batch, ${run.inputShape.join(', ')}] in [0, 1], output ${describeOutput(run, kind)}`);
      return;
    }
    if (kind !== 'logits' && kind !== 'pixel-logits') {
      // The page shows the top classes of an image, or its predicted mask; it draws no output images.
      throw new Error(`export: --format web makes a page for classifiers and segmentation models, but run ${run.info.name} is a ${run.config.task} run `
        + `(its model outputs ${describeOutput(run, kind)}); export it with --format onnx instead`);
    }
    const files = await writeWebPage(out, exportOnnx(run.model, sample, options), {
      title: `${run.info.name} (${run.info.model})`, kind: kind === 'logits' ? 'classifier' : 'segmentation',
      classNames: run.info.classNames, inputShape: run.inputShape,
    });
    console.log(`wrote ${files.length} files to ${out}; serve that folder over HTTP and open index.html (e.g. cd ${path.normalize(out)} && python3 -m http.server)`);
  },
};
