// Graph steps that model forwards write as tensor methods rather than as modules (a
// residual add or subtraction, a concatenation, an interpolation to a size): each emits
// its ONNX node and computes the same value visionlab's forward does, so the exporters
// of composite models stay step-for-step copies of their forwards.
import { type Tensor, cat } from '../torch/index.js';
import { functional as F } from '../nn/index.js';
import type { ExportContext, Traced } from './export-context.js';
import type { AttrValue } from './onnx-graph.js';

export function add(ctx: ExportContext, a: Traced, b: Traced, path: string): Traced {
  return { name: ctx.graph.node('Add', [a.name, b.name], `${path}.add`), value: a.value.add(b.value) };
}

/** a − b, as the residual denoisers subtract their predicted noise. */
export function sub(ctx: ExportContext, a: Traced, b: Traced, path: string): Traced {
  return { name: ctx.graph.node('Sub', [a.name, b.name], `${path}.sub`), value: a.value.sub(b.value) };
}

/** a · b with broadcasting, as squeeze-and-excitation and LR-ASPP gate their features. */
export function mul(ctx: ExportContext, a: Traced, b: Traced, path: string): Traced {
  return { name: ctx.graph.node('Mul', [a.name, b.name], `${path}.mul`), value: a.value.mul(b.value) };
}

export function relu(ctx: ExportContext, x: Traced, path: string): Traced {
  return { name: ctx.graph.node('Relu', [x.name], `${path}.relu`), value: x.value.relu() };
}

export function concat(ctx: ExportContext, parts: readonly Traced[], axis: number, path: string): Traced {
  return { name: ctx.graph.node('Concat', parts.map((p) => p.name), `${path}.cat`, { axis }), value: cat(parts.map((p) => p.value), axis) };
}

/** x.flatten(1) as the models' forwards write it. */
export function flattenFromDim1(ctx: ExportContext, x: Traced, path: string): Traced {
  return { name: ctx.graph.node('Flatten', [x.name], `${path}.flatten`, { axis: 1 }), value: x.value.flatten(1) };
}

/** ONNX Resize attributes that reproduce PyTorch's coordinate mapping for each mode. */
export function resizeAttrs(mode: 'nearest' | 'bilinear', alignCorners: boolean): Record<string, AttrValue> {
  return mode === 'nearest'
    ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
    : { mode: 'linear', coordinate_transformation_mode: alignCorners ? 'align_corners' : 'pytorch_half_pixel' };
}

/**
 * F.interpolate(x, { size }) as a Resize to sizes. The sizes are the input's own batch and
 * channels (read with Shape, so the batch stays dynamic) followed by the fixed [H, W]:
 * scales would make ONNX round in·(out/in) in float, which can land one pixel short.
 */
export function resizeTo(ctx: ExportContext, x: Traced, size: readonly [number, number], mode: 'nearest' | 'bilinear', alignCorners: boolean, path: string): Traced {
  const g = ctx.graph;
  const batchAndChannels = g.node('Shape', [x.name], `${path}.nc`, { start: 0, end: 2 });
  const sizes = g.node('Concat', [batchAndChannels, g.addInt64s(`${path}.hw`, [...size])], `${path}.sizes`, { axis: 0 });
  const value: Tensor = F.interpolate(x.value, { size: [...size], mode, ...(mode === 'bilinear' ? { alignCorners } : {}) });
  return { name: g.node('Resize', [x.name, '', '', sizes], path, resizeAttrs(mode, alignCorners)), value };
}
