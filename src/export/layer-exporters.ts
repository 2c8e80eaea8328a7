// ONNX translations of the nn layers (opset 17). Each mirrors the layer's eval-mode
// forward; a configuration ONNX cannot express is an error naming the layer.
import {
  Sequential, Conv2d, ConvTranspose2d, Linear, BatchNorm1d, BatchNorm2d, ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, GELU,
  Hardswish, Hardsigmoid, Softmax, LogSoftmax, Dropout, Dropout2d, Identity, Flatten, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Upsample,
  type AnyModule, type Module,
} from '../nn/index.js';
import { registerOnnxExporter, join, type ExportContext, type Traced } from './export-context.js';
import { float } from './onnx-graph.js';
import { resizeTo, resizeAttrs } from './traced-ops.js';

function expect4d(m: AnyModule, path: string, x: Traced, ctx: ExportContext): void {
  if (x.value.ndim !== 4) ctx.unsupported(m, path, `ONNX export expects [N, C, H, W] input here, got shape [${x.value.shape.join(', ')}]`);
}

/** ONNX pads: [top, left, bottom, right] from PyTorch's symmetric [h, w]. */
const symmetric = (p: readonly [number, number]): number[] => [p[0], p[1], p[0], p[1]];

/** Passes a value through unchanged: eval-mode dropout, Identity. */
const passThrough = (_m: AnyModule, x: Traced): Traced => x;

/** A layer whose ONNX form is one node with the layer's input (and attributes). */
function oneNode(m: Module, x: Traced, ctx: ExportContext, path: string, op: string, attrs = {}): Traced {
  return { name: ctx.graph.node(op, [x.name], path, attrs), value: m.call(x.value) };
}

registerOnnxExporter(Sequential, (m, x, ctx, path) => {
  let out = x;
  for (const [name, child] of m.namedChildren()) out = ctx.run(child, join(path, name), out);
  return out;
});

registerOnnxExporter(Conv2d, (m, x, ctx, path) => {
  expect4d(m, path, x, ctx);
  let pads: number[];
  if (m.padding === 'valid') pads = [0, 0, 0, 0];
  else if (m.padding === 'same') {
    // PyTorch puts the odd pixel of 'same' padding at the end (bottom, right).
    const total = [0, 1].map((d) => m.dilation[d]! * (m.kernelSize[d]! - 1));
    pads = [total[0]! >> 1, total[1]! >> 1, total[0]! - (total[0]! >> 1), total[1]! - (total[1]! >> 1)];
  } else pads = symmetric(m.padding);
  let input = x.name;
  if (m.paddingMode !== 'zeros') {
    if (m.paddingMode === 'circular') ctx.unsupported(m, path, "paddingMode 'circular' needs ONNX opset 19 (Pad mode 'wrap')");
    const padSizes = ctx.graph.addInt64s(`${path}.pads`, [0, 0, pads[0]!, pads[1]!, 0, 0, pads[2]!, pads[3]!]);
    input = ctx.graph.node('Pad', [input, padSizes], `${path}.pad`, { mode: m.paddingMode === 'reflect' ? 'reflect' : 'edge' });
    pads = [0, 0, 0, 0];
  }
  const inputs = [input, ctx.graph.addTensor(`${path}.weight`, m.weight)];
  if (m.bias) inputs.push(ctx.graph.addTensor(`${path}.bias`, m.bias));
  const name = ctx.graph.node('Conv', inputs, path, {
    kernel_shape: [...m.kernelSize], strides: [...m.stride], pads, dilations: [...m.dilation], group: m.groups,
  });
  return { name, value: m.call(x.value) };
});

/**
 * A transposed convolution, optionally called with the output size its caller wants (as
 * the decoders do to undo an odd-sized downsampling). ONNX states that choice as the
 * output padding, so it is read off the computed output: the extra rows and columns
 * beyond stride·(in − 1) + dilation·(k − 1) + 1 − 2·padding.
 */
export function exportConvTranspose2d(m: ConvTranspose2d, x: Traced, ctx: ExportContext, path: string, outputSize?: readonly number[]): Traced {
  expect4d(m, path, x, ctx);
  const value = outputSize === undefined ? m.call(x.value) : m.call(x.value, [...outputSize]);
  const outputPadding = [0, 1].map((d) => value.shape[2 + d]! - ((x.value.shape[2 + d]! - 1) * m.stride[d]! + m.dilation[d]! * (m.kernelSize[d]! - 1) + 1 - 2 * m.padding[d]!));
  const inputs = [x.name, ctx.graph.addTensor(`${path}.weight`, m.weight)];
  if (m.bias) inputs.push(ctx.graph.addTensor(`${path}.bias`, m.bias));
  const name = ctx.graph.node('ConvTranspose', inputs, path, {
    kernel_shape: [...m.kernelSize], strides: [...m.stride], pads: symmetric(m.padding), output_padding: outputPadding,
    dilations: [...m.dilation], group: m.groups,
  });
  return { name, value };
}
registerOnnxExporter(ConvTranspose2d, (m, x, ctx, path) => exportConvTranspose2d(m, x, ctx, path));

registerOnnxExporter(Linear, (m, x, ctx, path) => {
  const g = ctx.graph;
  if (x.value.ndim === 2) {
    const inputs = [x.name, g.addTensor(`${path}.weight`, m.weight)];
    if (m.bias) inputs.push(g.addTensor(`${path}.bias`, m.bias));
    return { name: g.node('Gemm', inputs, path, { transB: 1 }), value: m.call(x.value) };
  }
  // Gemm takes matrices only; [..., in] inputs multiply by the transposed weight.
  let name = g.node('MatMul', [x.name, g.addTensor(`${path}.weight_t`, m.weight.t())], m.bias ? `${path}.matmul` : path);
  if (m.bias) name = g.node('Add', [name, g.addTensor(`${path}.bias`, m.bias)], path);
  return { name, value: m.call(x.value) };
});

function exportBatchNorm(m: BatchNorm1d | BatchNorm2d, x: Traced, ctx: ExportContext, path: string): Traced {
  const mean = m.runningMean, variance = m.runningVar;
  if (!mean || !variance) return ctx.unsupported(m, path, 'it normalises with batch statistics (trackRunningStats false), which an inference graph does not have');
  const g = ctx.graph;
  const c = m.numFeatures;
  const scale = m.weight ? g.addTensor(`${path}.weight`, m.weight) : g.addFloats(`${path}.weight`, new Float32Array(c).fill(1), [c]);
  const bias = m.bias ? g.addTensor(`${path}.bias`, m.bias) : g.addFloats(`${path}.bias`, new Float32Array(c), [c]);
  const inputs = [x.name, scale, bias, g.addTensor(`${path}.running_mean`, mean), g.addTensor(`${path}.running_var`, variance)];
  return { name: g.node('BatchNormalization', inputs, path, { epsilon: float(m.eps) }), value: m.call(x.value) };
}
registerOnnxExporter(BatchNorm1d, exportBatchNorm);
registerOnnxExporter(BatchNorm2d, exportBatchNorm);

registerOnnxExporter(ReLU, (m, x, ctx, path) => oneNode(m, x, ctx, path, 'Relu'));
registerOnnxExporter(Sigmoid, (m, x, ctx, path) => oneNode(m, x, ctx, path, 'Sigmoid'));
registerOnnxExporter(Tanh, (m, x, ctx, path) => oneNode(m, x, ctx, path, 'Tanh'));
registerOnnxExporter(Hardswish, (m, x, ctx, path) => oneNode(m, x, ctx, path, 'HardSwish'));
registerOnnxExporter(Hardsigmoid, (m, x, ctx, path) => oneNode(m, x, ctx, path, 'HardSigmoid', { alpha: float(1 / 6), beta: float(0.5) }));
registerOnnxExporter(LeakyReLU, (m, x, ctx, path) => oneNode(m, x, ctx, path, 'LeakyRelu', { alpha: float(m.negativeSlope) }));
registerOnnxExporter(Softmax, (m, x, ctx, path) => oneNode(m, x, ctx, path, 'Softmax', { axis: m.dim }));
registerOnnxExporter(LogSoftmax, (m, x, ctx, path) => oneNode(m, x, ctx, path, 'LogSoftmax', { axis: m.dim }));

registerOnnxExporter(ReLU6, (m, x, ctx, path) => {
  const g = ctx.graph;
  const name = g.node('Clip', [x.name, g.addFloats(`${path}.min`, [0], []), g.addFloats(`${path}.max`, [6], [])], path);
  return { name, value: m.call(x.value) };
});

// Gelu is an operator from opset 20 on; in opset 17 it is written out.
registerOnnxExporter(GELU, (m, x, ctx, path) => {
  const g = ctx.graph;
  const c = (v: number, what: string) => g.addFloats(`${path}.${what}`, [v], []);
  let inner: string;
  if (m.approximate === 'none') {
    // x · ½ · (1 + erf(x / √2))
    inner = g.node('Erf', [g.node('Div', [x.name, c(Math.SQRT2, 'sqrt2')], `${path}.scaled`)], `${path}.erf`);
  } else {
    // x · ½ · (1 + tanh(√(2/π) · (x + 0.044715 x³)))
    const cube = g.node('Mul', [g.node('Mul', [x.name, x.name], `${path}.square`), x.name], `${path}.cube`);
    const sum = g.node('Add', [x.name, g.node('Mul', [cube, c(0.044715, 'k')], `${path}.cube_k`)], `${path}.sum`);
    inner = g.node('Tanh', [g.node('Mul', [sum, c(Math.sqrt(2 / Math.PI), 'sqrt_2_pi')], `${path}.arg`)], `${path}.tanh`);
  }
  const onePlus = g.node('Add', [inner, c(1, 'one')], `${path}.one_plus`);
  const name = g.node('Mul', [g.node('Mul', [x.name, onePlus], `${path}.product`), c(0.5, 'half')], path);
  return { name, value: m.call(x.value) };
});

for (const type of [Dropout, Dropout2d, Identity]) registerOnnxExporter(type, passThrough);

registerOnnxExporter(Flatten, (m, x, ctx, path) => {
  const shape = x.value.shape;
  const norm = (d: number): number => (d < 0 ? d + shape.length : d);
  const start = norm(m.startDim), end = norm(m.endDim);
  if (start === 0) ctx.unsupported(m, path, 'flattening the batch dimension would fix the batch size');
  const value = m.call(x.value);
  // ONNX's Flatten always gives a matrix, so it only serves the [N, rest] case.
  if (start === 1 && end === shape.length - 1) return { name: ctx.graph.node('Flatten', [x.name], path, { axis: 1 }), value };
  // Keep the batch (0 copies the input's size), merge start..end, keep the rest.
  const target = [0, ...shape.slice(1, start), -1, ...shape.slice(end + 1)];
  return { name: ctx.graph.node('Reshape', [x.name, ctx.graph.addInt64s(`${path}.shape`, target)], path), value };
});

registerOnnxExporter(MaxPool2d, (m, x, ctx, path) => {
  expect4d(m, path, x, ctx);
  return oneNode(m, x, ctx, path, 'MaxPool', {
    kernel_shape: [...m.kernelSize], strides: [...m.stride], pads: symmetric(m.padding), dilations: [...m.dilation],
    ceil_mode: m.ceilMode ? 1 : 0,
  });
});

registerOnnxExporter(AvgPool2d, (m, x, ctx, path) => {
  expect4d(m, path, x, ctx);
  if (m.divisorOverride !== undefined) ctx.unsupported(m, path, 'divisorOverride has no ONNX AveragePool equivalent');
  return oneNode(m, x, ctx, path, 'AveragePool', {
    kernel_shape: [...m.kernelSize], strides: [...m.stride], pads: symmetric(m.padding),
    ceil_mode: m.ceilMode ? 1 : 0, count_include_pad: m.countIncludePad ? 1 : 0,
  });
});

/**
 * Adaptive average pooling along one axis: output i averages input rows
 * [⌊i·in/out⌋, ⌈(i+1)·in/out⌉), as PyTorch's kernel does. Windows are rectangles, so
 * pooling H then W gives the 2-D result.
 */
function adaptiveAxis(ctx: ExportContext, x: string, axis: number, size: number, out: number, path: string): string {
  if (size === out) return x;
  const g = ctx.graph;
  const axes = g.addInt64s(`${path}.axis${axis}`, [axis]);
  const parts: string[] = [];
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out), end = Math.ceil(((i + 1) * size) / out);
    const window = g.node('Slice', [x, g.addInt64s(`${path}.start`, [start]), g.addInt64s(`${path}.end`, [end]), axes], `${path}.window`);
    parts.push(g.node('ReduceMean', [window], `${path}.mean`, { axes: [axis], keepdims: 1 }));
  }
  return g.node('Concat', parts, `${path}.axis${axis}_pooled`, { axis });
}

registerOnnxExporter(AdaptiveAvgPool2d, (m, x, ctx, path) => {
  expect4d(m, path, x, ctx);
  const [, , h, w] = x.value.shape as [number, number, number, number];
  const value = m.call(x.value);
  const [oh, ow] = value.shape.slice(2) as [number, number];
  const g = ctx.graph;
  if (oh === 1 && ow === 1) return { name: g.node('GlobalAveragePool', [x.name], path), value };
  if (h % oh === 0 && w % ow === 0) {
    const kernel = [h / oh, w / ow];
    return { name: g.node('AveragePool', [x.name], path, { kernel_shape: kernel, strides: kernel }), value };
  }
  const rows = adaptiveAxis(ctx, x.name, 2, h, oh, path);
  const name = adaptiveAxis(ctx, rows, 3, w, ow, path);
  return { name: name === x.name ? g.node('Identity', [x.name], path) : name, value };
});

registerOnnxExporter(Upsample, (m, x, ctx, path) => {
  expect4d(m, path, x, ctx);
  const alignCorners = m.alignCorners ?? false;
  if (m.scaleFactor === undefined) {
    const value = m.call(x.value);
    return resizeTo(ctx, x, value.shape.slice(2) as [number, number], m.mode, alignCorners, path);
  }
  // A scale factor is also what PyTorch maps coordinates by, so ONNX gets it as is.
  const s = typeof m.scaleFactor === 'number' ? [m.scaleFactor, m.scaleFactor] : m.scaleFactor;
  const scales = ctx.graph.addFloats(`${path}.scales`, [1, 1, s[0]!, s[1]!], [4]);
  return { name: ctx.graph.node('Resize', [x.name, '', scales], path, resizeAttrs(m.mode, alignCorners)), value: m.call(x.value) };
});
