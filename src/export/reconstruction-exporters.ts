// ONNX translations of the models that output images (autoencoders and denoisers). Their
// forwards call transposed convolutions with an exact output size, subtract the predicted
// noise from the input and concatenate skip connections, so each is written step by step.
import { ModuleList, ConvTranspose2d, type AnyModule, type Module } from '../nn/index.js';
import { ConvAutoencoder, DecoderStage, DnCnn, UNetDenoiser } from '../models/index.js';
import { registerOnnxExporter, join, type ExportContext, type Traced } from './export-context.js';
import { exportConvTranspose2d } from './layer-exporters.js';
import { concat, relu, sub } from './traced-ops.js';

/** The children of the ModuleList `name` of `parent`, with their paths. */
export function listChildren(ctx: ExportContext, parent: AnyModule, path: string, name: string): [Module, string][] {
  const list = parent.getModule(name);
  if (!(list instanceof ModuleList)) return ctx.unsupported(parent, path, `it has no module list '${name}'`);
  return [...list].map((m, i) => [m as Module, join(path, `${name}.${i}`)]);
}

registerOnnxExporter(DecoderStage, (m, x, ctx, path) => {
  const up = m.getModule('up');
  let y = x;
  if (up) {
    y = up instanceof ConvTranspose2d
      ? exportConvTranspose2d(up, x, ctx, join(path, 'up'), m.sizeBeforeDownsample)
      : ctx.child(m, path, 'up', x);
    y = relu(ctx, ctx.child(m, path, 'upNorm', y), path);
  }
  return ctx.child(m, path, 'conv', y);
});

registerOnnxExporter(ConvAutoencoder, (m, x, ctx, path) => {
  let y = ctx.child(m, path, 'encoder', x);
  for (const [stage, at] of listChildren(ctx, m, path, 'decoder')) y = ctx.run(stage, at, y);
  return ctx.child(m, path, 'head', y);
});

registerOnnxExporter(DnCnn, (m, x, ctx, path) => sub(ctx, x, ctx.child(m, path, 'body', x), path));

/**
 * The U-Net shape both U-Nets share: the ModuleLists 'down' (levels, each after a 'pool'
 * but the first), 'up' and 'merge' (concatenating the skip of the same size), and 'head'.
 * `upsample` exports one 'up' module to the size of its skip (fixed at the traced input's).
 */
export function exportUNetShape(
  m: AnyModule, x: Traced, ctx: ExportContext, path: string,
  upsample: (up: Module, y: Traced, at: string, size: [number, number]) => Traced,
): Traced {
  const skips: Traced[] = [];
  let y = x;
  for (const [i, [level, at]] of listChildren(ctx, m, path, 'down').entries()) {
    if (i > 0) y = ctx.child(m, path, 'pool', y);
    y = ctx.run(level, at, y);
    skips.push(y);
  }
  const merges = listChildren(ctx, m, path, 'merge');
  for (const [j, [up, at]] of listChildren(ctx, m, path, 'up').entries()) {
    const skip = skips[skips.length - 2 - j]!;
    y = upsample(up, y, at, skip.value.shape.slice(-2) as [number, number]);
    const [merge, mergeAt] = merges[j]!;
    y = ctx.run(merge, mergeAt, concat(ctx, [skip, y], 1, mergeAt));
  }
  return ctx.child(m, path, 'head', y);
}

registerOnnxExporter(UNetDenoiser, (m, x, ctx, path) => {
  const out = exportUNetShape(m, x, ctx, path, (up, y, at, size) => (up instanceof ConvTranspose2d
    ? exportConvTranspose2d(up, y, ctx, at, size)
    : ctx.unsupported(up, at, 'the U-Net expects a ConvTranspose2d here')));
  return m.residual ? sub(ctx, x, out, path) : out;
});
