// Grad-CAM (Selvaraju et al. 2017): which regions of the image a convolutional layer's
// features for the explained class come from. The layer's activations A (found by name,
// by default the last Conv2d) are caught with a forward hook; the gradient of the class
// score weighs each channel by its spatial mean, and ReLU(Σ_k w_k A_k), upsampled
// bilinearly to the image and scaled to [0, 1] per image, is the map.
import { type Tensor, tidy, grad, ops } from '../../torch/index.js';
import { Conv2d, type Module } from '../../nn/index.js';
import { victimOf, type AttackTarget } from '../attacks/index.js';
import { classesToExplain, type ExplainOptions } from './gradients.js';

export interface GradCamOptions extends ExplainOptions {
  /** Dotted name of the layer (e.g. 'features.3', 'layer4.1.conv2'); default the last Conv2d. */
  layer?: string;
}

/** The name of the model's last Conv2d (in registration order). */
export function lastConvolution(model: Module): string {
  let found: string | undefined;
  for (const [name, m] of model.namedModules()) if (m instanceof Conv2d) found = name;
  if (found === undefined) throw new Error(`gradCam: ${model.constructor.name} has no Conv2d layer; name a layer with { layer }`);
  return found;
}

/** Maps [N, H, W] in [0, 1] at the images' size. */
export function gradCam(target: AttackTarget, images: Tensor, opts: GradCamOptions = {}): Tensor {
  if (images.ndim !== 4) throw new RangeError(`gradCam: images must be N×C×H×W in [0, 1], got [${images.shape.join(', ')}]`);
  const victim = victimOf(target, opts.normalization);
  const model = victim.model;
  const layerName = opts.layer ?? lastConvolution(model);
  let layer: Module;
  try {
    layer = model.getSubmodule(layerName) as Module;
  } catch (e) {
    const names = [...model.namedModules()].map(([n]) => n).filter((n) => n !== '');
    throw new Error(`gradCam: no layer '${layerName}' (layers: ${names.join(', ')})`, { cause: e });
  }
  return tidy(() => {
    const x = images.detach();
    const classes = classesToExplain(victim, x, opts.classes);
    let activations: Tensor | undefined;
    const remove = layer.registerForwardHook((_m, _inputs, output) => { activations = output; });
    let logits: Tensor;
    try {
      logits = victim.logits(x.clone().requiresGrad_(true));
    } finally {
      remove();
    }
    if (!activations || activations.ndim !== 4) {
      throw new Error(`gradCam: layer '${layerName}' must output N×C×H×W feature maps, got ${activations ? `[${activations.shape.join(', ')}]` : 'nothing (it did not run)'}`);
    }
    const [g] = grad(logits.gather(1, classes.unsqueeze(1)).sum(), activations);
    const weights = g!.mean([2, 3], true);
    const cam = activations.detach().mul(weights).sum(1, true).relu();
    const up = ops.upsample_bilinear2d(cam, [x.shape[2]!, x.shape[3]!], false).squeeze(1);
    const top = up.flatten(1).max(1).values.clamp(1e-12, null).reshape([-1, 1, 1]);
    return up.div(top);
  });
}
