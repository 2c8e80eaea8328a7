// ONNX translations of the segmentation zoo (DeepLabV3+ on MobileNetV2 or ResNet,
// torchvision's DeepLabV3, FCN and LR-ASPP, U-Net): dilated backbones, ASPP with its
// image-pooling branch spread back over the map, the decoder's concatenation of low-level
// features, LR-ASPP's sigmoid gate, the final bilinear upsampling (align_corners false) of
// the per-pixel logits to the input size, and U-Net's upsampling of each decoder level to
// its skip's own size.
import { ConvTranspose2d, type Module } from '../nn/index.js';
import {
  ASPP, ASPPPooling, Bottleneck, ResNet50Backbone, DeepLabV3, DeepLabV3Plus, MobileNetV2Backbone, ResNetSegmentationBackbone,
  UNet, BilinearUp, LRASPP, MobileNetV3LargeBackbone,
} from '../models/index.js';
import { registerOnnxExporter, join, type ExportContext, type Traced } from './export-context.js';
import { exportConvTranspose2d } from './layer-exporters.js';
import { exportUNetShape } from './reconstruction-exporters.js';
import { add, mul, concat, resizeTo } from './traced-ops.js';

function spatial(x: Traced): [number, number] {
  return x.value.shape.slice(-2) as [number, number];
}

/** Children in registration order: what a Sequential-like forward runs. */
function chain(ctx: ExportContext, m: Module, path: string, x: Traced, names?: readonly string[]): Traced {
  let h = x;
  for (const [name, c] of m.namedChildren()) if (!names || names.includes(name)) h = ctx.run(c, join(path, name), h);
  return h;
}

registerOnnxExporter(ASPPPooling, (m, x, ctx, path) => {
  const pooled = chain(ctx, m, path, x);
  return resizeTo(ctx, pooled, spatial(x), 'bilinear', false, `${path}.upsample`);
});

registerOnnxExporter(ASPP, (m, x, ctx, path) => {
  const convs = m.getModule('convs');
  if (!convs) return ctx.unsupported(m, path, "it has no child 'convs'");
  const branches = [...convs.namedChildren()].map(([i, branch]) => ctx.run(branch, join(path, `convs.${i}`), x));
  return ctx.child(m, path, 'project', concat(ctx, branches, 1, path));
});

registerOnnxExporter(Bottleneck, (m, x, ctx, path) => {
  let y = x;
  for (const name of ['conv1', 'bn1', 'relu', 'conv2', 'bn2', 'relu', 'conv3', 'bn3']) y = ctx.child(m, path, name, y);
  const identity = m.getModule('downsample') ? ctx.child(m, path, 'downsample', x) : x;
  return ctx.child(m, path, 'relu', add(ctx, y, identity, path));
});

registerOnnxExporter(ResNet50Backbone, (m, x, ctx, path) =>
  chain(ctx, m, path, x, ['conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4']));

registerOnnxExporter(DeepLabV3, (m, x, ctx, path) => {
  const logits = ctx.child(m, path, 'classifier', ctx.child(m, path, 'backbone', x));
  return resizeTo(ctx, logits, spatial(x), 'bilinear', false, `${path}.upsample`);
});

interface Features { low: Traced; high: Traced }

/** MobileNetV2Backbone.extract: the low-level features (stride 4) and the last ones. */
function mobileNetV2Features(ctx: ExportContext, m: MobileNetV2Backbone, path: string, x: Traced): Features {
  const features = m.getModule('features');
  if (!features) return ctx.unsupported(m, path, "it has no child 'features'");
  let h = x;
  let low: Traced | undefined;
  [...features.namedChildren()].forEach(([name, block], i) => {
    h = ctx.run(block, join(path, `features.${name}`), h);
    if (i === m.lowIndex) low = h;
  });
  if (!low) return ctx.unsupported(m, path, `its features have no block ${m.lowIndex} for the low-level features`);
  return { low, high: h };
}

/** ResNetSegmentationBackbone.extract: layer1 (stride 4) is the low-level features, layer4 the last ones. */
function resNetFeatures(ctx: ExportContext, m: ResNetSegmentationBackbone, path: string, x: Traced): Features {
  let h = x;
  for (const name of ['conv1', 'bn1', 'relu', 'maxpool']) h = ctx.child(m, path, name, h);
  const low = ctx.child(m, path, 'layer1', h);
  let high = low;
  for (const name of ['layer2', 'layer3', 'layer4']) high = ctx.child(m, path, name, high);
  return { low, high };
}

registerOnnxExporter(MobileNetV2Backbone, (m, x, ctx, path) => mobileNetV2Features(ctx, m, path, x).high);
registerOnnxExporter(ResNetSegmentationBackbone, (m, x, ctx, path) => resNetFeatures(ctx, m, path, x).high);

/** The backbone's extract, for the backbones whose extract the exporter knows (a subclass may compute something else). */
function backboneFeatures(ctx: ExportContext, m: DeepLabV3Plus, path: string, x: Traced): Features {
  const backbone = m.getModule('backbone');
  const at = join(path, 'backbone');
  if (backbone instanceof MobileNetV2Backbone && backbone.extract === MobileNetV2Backbone.prototype.extract) {
    return mobileNetV2Features(ctx, backbone, at, x);
  }
  if (backbone instanceof ResNetSegmentationBackbone && backbone.extract === ResNetSegmentationBackbone.prototype.extract) {
    return resNetFeatures(ctx, backbone, at, x);
  }
  const found = backbone ? `its backbone is a ${backbone.constructor.name}` : 'it has no backbone';
  return ctx.unsupported(m, path, `${found}; the exporter reads the low-level features of a MobileNetV2Backbone or a ResNetSegmentationBackbone`);
}

registerOnnxExporter(DeepLabV3Plus, (m, x, ctx, path) => {
  const { low, high } = backboneFeatures(ctx, m, path, x);
  const context = ctx.child(m, path, 'aspp', high);
  const up = resizeTo(ctx, context, spatial(low), 'bilinear', false, `${path}.aspp_upsample`);
  const joined = concat(ctx, [up, ctx.child(m, path, 'reduce', low)], 1, path);
  const logits = ctx.child(m, path, 'classifier', ctx.child(m, path, 'decoder', joined));
  return resizeTo(ctx, logits, spatial(x), 'bilinear', false, `${path}.upsample`);
});

/** BilinearUp's forward: a bilinear resize to `size` (default twice the input), then its 1×1 convolution. */
function exportBilinearUp(m: BilinearUp, x: Traced, ctx: ExportContext, path: string, size?: readonly [number, number]): Traced {
  const [h, w] = spatial(x);
  const resized = resizeTo(ctx, x, size ?? [2 * h, 2 * w], 'bilinear', false, `${path}.resize`);
  return ctx.child(m, path, 'conv', resized);
}
registerOnnxExporter(BilinearUp, (m, x, ctx, path) => exportBilinearUp(m, x, ctx, path));

// The sizes of the skips are those of the traced input, fixed in the file like its H and W.
registerOnnxExporter(UNet, (m, x, ctx, path) => exportUNetShape(m, x, ctx, path, (up, y, at, size) => {
  if (up instanceof ConvTranspose2d) return exportConvTranspose2d(up, y, ctx, at, size);
  if (up instanceof BilinearUp && up.forward === BilinearUp.prototype.forward) return exportBilinearUp(up, y, ctx, at, size);
  return ctx.unsupported(up, at, 'the U-Net exporter expects a ConvTranspose2d or a BilinearUp here');
}));

/** MobileNetV3LargeBackbone.extract: the stride-8 features and the last ones. */
function extractV3(ctx: ExportContext, m: MobileNetV3LargeBackbone, path: string, x: Traced): { low: Traced; high: Traced } {
  let h = x;
  let low: Traced | undefined;
  for (let i = 0; i <= m.highIndex; i++) {
    h = ctx.child(m, path, String(i), h);
    if (i === m.lowIndex) low = h;
  }
  return { low: low!, high: h };
}

registerOnnxExporter(MobileNetV3LargeBackbone, (m, x, ctx, path) => extractV3(ctx, m, path, x).high);

registerOnnxExporter(LRASPP, (m, x, ctx, path) => {
  const backbone = m.getModule('backbone');
  if (!(backbone instanceof MobileNetV3LargeBackbone)) return ctx.unsupported(m, path, 'its backbone is not a MobileNetV3LargeBackbone');
  const head = m.getModule('classifier');
  if (!head) return ctx.unsupported(m, path, "it has no child 'classifier'");
  const { low, high } = extractV3(ctx, backbone, join(path, 'backbone'), x);
  const hp = join(path, 'classifier');
  const gated = mul(ctx, ctx.child(head, hp, 'cbr', high), ctx.child(head, hp, 'scale', high), hp);
  const up = resizeTo(ctx, gated, spatial(low), 'bilinear', false, `${hp}.upsample`);
  const logits = add(ctx, ctx.child(head, hp, 'low_classifier', low), ctx.child(head, hp, 'high_classifier', up), hp);
  return resizeTo(ctx, logits, spatial(x), 'bilinear', false, `${path}.upsample`);
});
