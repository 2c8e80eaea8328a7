// exportOnnx: a visionlab model as an ONNX file (opset 17) that onnxruntime runs in Node
// or in a browser without libtorch. The graph takes float32 images [batch, C, H, W] with
// values in [0, 1]; the run's normalisation is folded in as its first two nodes, so a
// caller only scales pixels. The output is class logits, per-pixel class logits or an
// image (metadata `output_kind`). The batch size is symbolic; the weights are initializers.
import { type Tensor, tensor, tidy, noGrad } from '../torch/index.js';
import type { AnyModule } from '../nn/index.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { ExportContext, type Traced } from './export-context.js';
import { OnnxGraphBuilder } from './onnx-graph.js';
import { encodeOnnxModel, OnnxDataType } from './onnx-proto.js';
import './layer-exporters.js';
import './model-exporters.js';
import './reconstruction-exporters.js';
import './segmentation-exporters.js';

export const ONNX_OPSET = 17;

export interface OnnxExportOptions {
  /** Per-channel mean and std of the normalisation to fold in (on the [0, 1] scale). */
  mean?: readonly number[];
  std?: readonly number[];
  /** Class names, stored in the metadata (`class_names`, a JSON array). */
  classNames?: readonly string[];
  /**
   * What the output is, stored in the metadata (`output_kind`) and checked against the
   * output's shape: 'logits' [N, classes], 'pixel-logits' [N, classes, H, W] at the
   * input's H, W (segmentation), or 'image' of the input's shape (denoisers, autoencoders).
   * Unset: 'logits' for a 2-D output, else 'tensor' (no claim about what it means).
   */
  outputKind?: OnnxOutputKind;
  /** Name of the graph input (default 'input') and output (default 'image' for image outputs, else 'logits'). */
  inputName?: string;
  outputName?: string;
  /** A name for the graph (default: the model's class). */
  graphName?: string;
  /** More metadata entries (string values). */
  metadata?: Record<string, string>;
}

export const ONNX_OUTPUT_KINDS = ['logits', 'pixel-logits', 'image', 'tensor'] as const;
export type OnnxOutputKind = (typeof ONNX_OUTPUT_KINDS)[number];

/** Metadata keys written into every exported model. */
export const ONNX_METADATA_KEYS = ['class_names', 'input_shape', 'input_range', 'mean', 'std', 'output', 'output_kind'] as const;

/** Fails when the output's shape is not what its kind promises (an image model exported as a classifier...). */
function checkOutputShape(kind: OnnxOutputKind, out: readonly number[], input: readonly number[]): void {
  const [, c, h, w] = input;
  if (kind === 'tensor') return;
  const fits = kind === 'logits' ? out.length === 2
    : kind === 'image' ? out.length === 4 && out[1] === c && out[2] === h && out[3] === w
      : out.length === 4 && out[2] === h && out[3] === w;
  if (fits) return;
  const expected = kind === 'logits' ? '[N, classes]' : kind === 'image' ? `[N, ${c}, ${h}, ${w}]` : `[N, classes, ${h}, ${w}]`;
  throw new Error(`exportOnnx: outputKind '${kind}' expects an output ${expected} for the input [${input.join(', ')}], but the model gives [${out.join(', ')}]`);
}

function checkStats(values: readonly number[] | undefined, channels: number, what: string): number[] | null {
  if (values === undefined) return null;
  if (!Array.isArray(values) || values.length !== channels || !values.every((v) => Number.isFinite(v))) {
    throw new RangeError(`exportOnnx: options.${what} must list ${channels} finite numbers (one per input channel), got ${JSON.stringify(values)}`);
  }
  if (what === 'std' && values.some((v) => v <= 0)) throw new RangeError(`exportOnnx: options.std must be positive, got ${JSON.stringify(values)}`);
  return [...values];
}

/** x·(1/std) + (−mean/std), the same multiply-add visionlab's Normalize does. */
function foldNormalization(graph: OnnxGraphBuilder, x: Traced, mean: number[], std: number[]): Traced {
  const c = mean.length;
  const scale = std.map((s) => 1 / s);
  const shift = mean.map((m, i) => -m / std[i]!);
  const scaled = graph.node('Mul', [x.name, graph.addFloats('normalize.scale', scale, [1, c, 1, 1])], 'normalize.scaled');
  const name = graph.node('Add', [scaled, graph.addFloats('normalize.shift', shift, [1, c, 1, 1])], 'normalized');
  const at = { shape: [1, c, 1, 1], device: x.value.device };
  const value = x.value.mul(tensor(scale, at)).add(tensor(shift, at));
  return { name, value };
}

/**
 * The ONNX model file (bytes) of `model` for inputs shaped like `sampleInput`
 * ([N, C, H, W] float32 in [0, 1]; N is free in the file). The model runs once on the
 * sample in eval mode (its training flags are restored afterwards). A module without an
 * ONNX translation is an UnsupportedModuleError naming its path and class.
 */
export function exportOnnx(model: AnyModule, sampleInput: Tensor, options: OnnxExportOptions = {}): Uint8Array {
  if (sampleInput.ndim !== 4 || sampleInput.dtype !== 'float32') {
    throw new RangeError(`exportOnnx: sampleInput must be a float32 batch [N, C, H, W], got ${sampleInput.dtype} [${sampleInput.shape.join(', ')}]`);
  }
  const [, c, h, w] = sampleInput.shape as [number, number, number, number];
  const mean = checkStats(options.mean, c, 'mean');
  const std = checkStats(options.std, c, 'std');
  if ((mean === null) !== (std === null)) throw new RangeError('exportOnnx: give both options.mean and options.std, or neither');
  if (options.outputKind !== undefined && !ONNX_OUTPUT_KINDS.includes(options.outputKind)) throw new RangeError(`exportOnnx: options.outputKind must be ${ONNX_OUTPUT_KINDS.join(', ')}, got '${String(options.outputKind)}'`);
  const modes = model.modules().map((m) => [m, m.training] as const);
  model.eval();
  try {
    return tidy(() => noGrad(() => {
      const graph = new OnnxGraphBuilder();
      const inputName = graph.uniqueName(options.inputName ?? 'input');
      const outputName = options.outputName ?? (options.outputKind === 'image' ? 'image' : 'logits');
      let x: Traced = { name: inputName, value: sampleInput };
      if (mean && std) x = foldNormalization(graph, x, mean, std);
      const y = new ExportContext(graph).run(model, '', x);
      if (y.value.ndim < 1 || y.value.shape[0] !== sampleInput.shape[0]) {
        throw new Error(`exportOnnx: the model's output [${y.value.shape.join(', ')}] does not keep the batch dimension of the input [${sampleInput.shape.join(', ')}]`);
      }
      const outputKind = options.outputKind ?? (y.value.ndim === 2 ? 'logits' : 'tensor');
      checkOutputShape(outputKind, y.value.shape, sampleInput.shape);
      if (y.name === inputName) graph.node('Identity', [y.name], outputName);
      else graph.renameOutput(y.name, outputName);
      const metadata: Record<string, string> = {
        input_shape: JSON.stringify([c, h, w]),
        input_range: '[0, 1]',
        output: outputName,
        output_kind: outputKind,
        ...(options.classNames ? { class_names: JSON.stringify(options.classNames) } : {}),
        ...(mean && std ? { mean: JSON.stringify(mean), std: JSON.stringify(std) } : {}),
        ...options.metadata,
      };
      return encodeOnnxModel({
        producerName: 'visionlab',
        producerVersion: '',
        opsetVersion: ONNX_OPSET,
        metadata,
        graph: {
          name: options.graphName ?? model.constructor.name,
          node: graph.nodes,
          initializer: graph.initializers,
          input: [{ name: inputName, elemType: OnnxDataType.FLOAT, shape: ['batch', c, h, w] }],
          output: [{ name: outputName, elemType: OnnxDataType.FLOAT, shape: ['batch', ...y.value.shape.slice(1)] }],
        },
      });
    }));
  } finally {
    for (const [m, training] of modes) m.training = training;
  }
}

/** exportOnnx, written atomically to `file`. */
export async function exportOnnxFile(file: string, model: AnyModule, sampleInput: Tensor, options: OnnxExportOptions = {}): Promise<void> {
  await writeFileAtomic(file, exportOnnx(model, sampleInput, options));
}
