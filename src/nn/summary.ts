// A Keras-like model summary: one row per layer with its output shape and parameter
// count, then the totals. Output shapes come from a real forward pass on a batch of
// zeros, recorded by forward hooks, so they are right for any model a forward can run.
import { Tensor, zeros, tidy, noGrad, itemSize, isFloatingDType, type DType } from '../torch/index.js';
import { Module, type AnyModule } from './module.js';

export interface SummaryOptions {
  /** Batch size of the probe input (default 1); shown as -1 in output shapes. */
  batchSize?: number;
  /** Probe dtype and device; by default those of the model's first parameter. */
  dtype?: DType;
  device?: string;
  /** Title line (default: the model's class name). */
  title?: string;
}

export interface SummaryRow {
  /** Dotted path, e.g. `features.0` ('' for the model itself). */
  name: string;
  type: string;
  /** Shapes of the tensors in the layer's first output; empty when the layer never ran. */
  outputShapes: number[][];
  params: number;
  trainableParams: number;
  calls: number;
}

export interface ModelSummary {
  title: string;
  inputShape: number[];
  batchSize: number;
  rows: SummaryRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Bytes held by parameters and by buffers (running statistics...). */
  paramBytes: number;
  bufferBytes: number;
}

function ownParameters(m: AnyModule): Tensor[] {
  return [...m.namedParameters()].filter(([n]) => !n.includes('.')).map(([, p]) => p);
}

function tensorShapes(value: unknown, into: number[][], depth = 0): number[][] {
  if (value instanceof Tensor) into.push(value.shape);
  else if (Array.isArray(value) && depth < 4) for (const v of value) tensorShapes(v, into, depth + 1);
  else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype && depth < 4) {
    for (const v of Object.values(value)) tensorShapes(v, into, depth + 1);
  }
  return into;
}

function checkInputShape(inputShape: number[]): void {
  if (!Array.isArray(inputShape) || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new RangeError(`summary: inputShape must be positive integers without the batch dimension (e.g. [3, 32, 32]), got ${JSON.stringify(inputShape)}`);
  }
}

/** Runs one forward pass in eval mode without gradients and collects the table's data. */
export function summarize(model: Module, inputShape: number[], opts: SummaryOptions = {}): ModelSummary {
  if (!(model instanceof Module)) throw new TypeError('summary: expected a Module');
  checkInputShape(inputShape);
  const batchSize = opts.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`summary: batchSize must be a positive integer, got ${batchSize}`);

  // A row for every leaf, and for any container that owns parameters directly.
  const rows: SummaryRow[] = [];
  const modules: AnyModule[] = [];
  for (const [name, m] of model.namedModules()) {
    const own = ownParameters(m);
    if (m.children().length > 0 && own.length === 0) continue;
    rows.push({
      name, type: m.constructor.name, outputShapes: [], calls: 0,
      params: own.reduce((s, p) => s + p.numel(), 0),
      trainableParams: own.filter((p) => p.requiresGrad).reduce((s, p) => s + p.numel(), 0),
    });
    modules.push(m);
  }

  const firstParam = model.parameters().find((p) => isFloatingDType(p.dtype));
  const dtype = opts.dtype ?? firstParam?.dtype ?? 'float32';
  const device = opts.device ?? firstParam?.device ?? 'cpu';
  const wasTraining = model.modules().map((m) => m.training);
  const removers = modules.map((m, i) => m.registerForwardHook((_mod, _inputs, output) => {
    const row = rows[i]!;
    if (row.calls++ === 0) row.outputShapes = tensorShapes(output, []);
  }));
  try {
    model.eval();
    noGrad(() => tidy(() => {
      const x = zeros([batchSize, ...inputShape], { dtype, device });
      try {
        model.call(x);
      } catch (e) {
        throw new Error(`summary: the forward pass on an input of shape [${batchSize}, ${inputShape.join(', ')}] failed: ${(e as Error).message}`, { cause: e });
      }
    }));
  } finally {
    removers.forEach((remove) => remove());
    model.modules().forEach((m, i) => { m.training = wasTraining[i]!; });
  }

  // Shared parameters count once in the totals, as in PyTorch.
  const unique = [...new Set(model.parameters())];
  const totalParams = unique.reduce((s, p) => s + p.numel(), 0);
  const trainableParams = unique.filter((p) => p.requiresGrad).reduce((s, p) => s + p.numel(), 0);
  const bytes = (ts: Tensor[]): number => ts.reduce((s, t) => s + t.numel() * itemSize(t.dtype), 0);
  return {
    title: opts.title ?? model.constructor.name,
    inputShape: [...inputShape], batchSize, rows,
    totalParams, trainableParams, nonTrainableParams: totalParams - trainableParams,
    paramBytes: bytes(unique), bufferBytes: bytes([...new Set(model.buffers())]),
  };
}

const group = (n: number): string => n.toLocaleString('en-US');

function formatShape(shape: number[], batchSize: number): string {
  return `[${shape.map((d, i) => (i === 0 && d === batchSize ? -1 : d)).join(', ')}]`;
}

function formatBytes(b: number): string {
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KB`;
  return `${(b / 1024 / 1024).toFixed(2)} MB`;
}

/** The table as text. */
export function formatSummary(s: ModelSummary): string {
  const header = ['Layer (type)', 'Output Shape', 'Param #'];
  const cells = s.rows.map((r) => [
    r.name ? `${r.name} (${r.type})` : `(${r.type})`,
    r.outputShapes.length ? r.outputShapes.map((sh) => formatShape(sh, s.batchSize)).join(', ') : '-',
    group(r.params),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)) + 3);
  const line = (row: string[]): string => ` ${row[0]!.padEnd(widths[0]!)}${row[1]!.padEnd(widths[1]!)}${row[2]!.padStart(widths[2]! - 3)}`.trimEnd();
  const width = widths.reduce((a, b) => a + b, 0);
  const out = [
    `Model: "${s.title}"`,
    `Input shape: ${formatShape([s.batchSize, ...s.inputShape], s.batchSize)}`,
    '_'.repeat(width),
    line(header),
    '='.repeat(width),
    ...cells.map(line),
    '='.repeat(width),
    `Total params: ${group(s.totalParams)}`,
    `Trainable params: ${group(s.trainableParams)}`,
    `Non-trainable params: ${group(s.nonTrainableParams)}`,
    `Params size: ${formatBytes(s.paramBytes)}; buffers size: ${formatBytes(s.bufferBytes)}`,
    '_'.repeat(width),
  ];
  return out.join('\n');
}

/** A Keras-like summary of model for inputs of inputShape (without the batch dimension). */
export function summary(model: Module, inputShape: number[], opts: SummaryOptions = {}): string {
  return formatSummary(summarize(model, inputShape, opts));
}
