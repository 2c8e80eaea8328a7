// ONNX translations of the zoo classifiers whose forward is more than a chain of children:
// each follows that model's forward step by step, delegating to the children's exporters.
import { ops } from '../torch/index.js';
import { ConvClassifier, Mlp, ResNet, BasicBlock, InvertedResidual, MobileNetV3Block, SqueezeExcitation } from '../models/index.js';
import { registerOnnxExporter } from './export-context.js';
import { add, mul, flattenFromDim1 } from './traced-ops.js';

registerOnnxExporter(Mlp, (m, x, ctx, path) => {
  let h = ctx.child(m, path, 'flatten', x);
  for (const name of ['fc1', 'relu', 'fc2']) h = ctx.child(m, path, name, h);
  return h;
});

registerOnnxExporter(ConvClassifier, (m, x, ctx, path) => {
  let h = ctx.child(m, path, 'features', x);
  if (m.getModule('avgpool')) h = ctx.child(m, path, 'avgpool', h);
  if (m.globalAvgPool) h = { name: ctx.graph.node('GlobalAveragePool', [h.name], `${path}.global_pool`), value: ops.adaptive_avg_pool2d(h.value, [1, 1]) };
  return ctx.child(m, path, 'classifier', flattenFromDim1(ctx, h, path));
});

registerOnnxExporter(ResNet, (m, x, ctx, path) => {
  let h = x;
  for (const name of ['conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool']) h = ctx.child(m, path, name, h);
  return ctx.child(m, path, 'fc', flattenFromDim1(ctx, h, path));
});

registerOnnxExporter(BasicBlock, (m, x, ctx, path) => {
  let out = x;
  for (const name of ['conv1', 'bn1', 'relu', 'conv2', 'bn2']) out = ctx.child(m, path, name, out);
  const identity = m.getModule('downsample') ? ctx.child(m, path, 'downsample', x) : x;
  return ctx.child(m, path, 'relu', add(ctx, out, identity, path));
});

registerOnnxExporter(InvertedResidual, (m, x, ctx, path) => {
  const y = ctx.child(m, path, 'conv', x);
  return m.useResidual ? add(ctx, x, y, path) : y;
});

registerOnnxExporter(MobileNetV3Block, (m, x, ctx, path) => {
  const y = ctx.child(m, path, 'block', x);
  return m.useResidual ? add(ctx, y, x, path) : y;
});

registerOnnxExporter(SqueezeExcitation, (m, x, ctx, path) => {
  let s = x;
  for (const name of ['avgpool', 'fc1', 'activation', 'fc2', 'scale_activation']) s = ctx.child(m, path, name, s);
  return mul(ctx, s, x, path);
});
