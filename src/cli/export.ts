// visionlab export RUN --format onnx|web --out PATH: a finished run's model as an ONNX
// file, or as a static web page that classifies images in the browser.
import path from 'node:path';
import { zeros } from '../torch/index.js';
import { openRun, type OpenedRun } from '../experiment/index.js';
import { exportOnnx, exportOnnxFile, writeWebPage, type OnnxExportOptions } from '../export/index.js';
import { parseCommandArgs, str, UsageError, type Command } from './args.js';

const FORMATS = ['onnx', 'web'] as const;
type Format = (typeof FORMATS)[number];

/** The export options of a run: its normalisation (folded in) and class names. */
export function runOnnxOptions(run: OpenedRun): OnnxExportOptions {
  const norm = run.config.transforms.normalize;
  return {
    classNames: run.info.classNames,
    ...(typeof norm === 'object' ? { mean: norm.mean, std: norm.std } : {}),
    metadata: { run: run.info.name, model: run.info.model },
  };
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'export a finished run\'s model as ONNX or as a web page',
  usage: `visionlab export RUN --format onnx|web --out PATH

  --format onnx   writes an ONNX file (opset 17) to PATH: input 'input', float32
                  [batch, C, H, W] with values in [0, 1] (the run's normalisation is
                  part of the graph), output 'logits' [batch, classes]; class names,
                  input shape, mean and std are in the file's metadata
  --format web    writes a static page into the folder PATH that runs the model in the
                  browser (onnxruntime-web, all files local): drop, choose or draw an
                  image and see the top-5 classes. Serve the folder with any static file
                  server (browsers do not run WebAssembly from file:// pages)

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
    if (format === 'onnx') {
      await exportOnnxFile(out, run.model, sample, options);
      console.log(`wrote ${out}: input [batch, ${run.inputShape.join(', ')}] in [0, 1], output logits [batch, ${run.info.classNames.length}]`);
      return;
    }
    const files = await writeWebPage(out, exportOnnx(run.model, sample, options), {
      title: `${run.info.name} (${run.info.model})`, classNames: run.info.classNames, inputShape: run.inputShape,
    });
    console.log(`wrote ${files.length} files to ${out}; serve that folder over HTTP and open index.html (e.g. cd ${path.normalize(out)} && python3 -m http.server)`);
  },
};
