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

registerOnnxExporter(UNetDenoiser, (m, x, ctx, path) => {
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
    if (!(up instanceof ConvTranspose2d)) return ctx.unsupported(up, at, 'the U-Net expects a ConvTranspose2d here');
    y = exportConvTranspose2d(up, y, ctx, at, skip.value.shape.slice(2));
    const [merge, mergeAt] = merges[j]!;
    y = ctx.run(merge, mergeAt, concat(ctx, [skip, y], 1, mergeAt));
  }
  const out = ctx.child(m, path, 'head', y);
  return m.residual ? sub(ctx, x, out, path) : out;
});
