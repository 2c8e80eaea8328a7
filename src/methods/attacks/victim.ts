// The model under attack, seen in [0, 1] pixel space. Attacks perturb pixels, while the
// model may expect standardised inputs: applying the normalisation here, inside the
// attack, means epsilon is always measured in pixels (0.03 is about 8/255) whatever the
// model's preprocessing, and the adversarial images are real images one can save.
import { type Tensor, grad, tidy, tensor } from '../../torch/index.js';
import type { Module } from '../../nn/index.js';
import { normalize } from '../../data/index.js';

/** Per-channel mean and std the model's inputs are standardised with (as in a run's config). */
export interface InputNormalization {
  mean: readonly number[];
  std: readonly number[];
}

export class Victim {
  constructor(readonly model: Module, readonly normalization: InputNormalization | null = null) {
    if (typeof model?.call !== 'function') throw new TypeError('Victim: model must be a Module');
    if (normalization && normalization.mean.length !== normalization.std.length) {
      throw new RangeError(`Victim: normalization has ${normalization.mean.length} means but ${normalization.std.length} stds`);
    }
  }

  /** What the model receives for [0, 1] images. */
  modelInput(pixels: Tensor): Tensor {
    return this.normalization ? normalize(pixels, this.normalization.mean, this.normalization.std) : pixels;
  }

  /** [0, 1] images from inputs standardised with this normalisation (the inverse of modelInput). */
  pixels(modelInputs: Tensor): Tensor {
    const n = this.normalization;
    if (!n) return modelInputs;
    const shape = [1, n.mean.length, 1, 1];
    return tidy(() => {
      const on = { shape, dtype: modelInputs.dtype, device: modelInputs.device };
      const std = tensor([...n.std], on);
      const mean = tensor([...n.mean], on);
      return modelInputs.mul(std).add(mean);
    });
  }

  /** Logits [N, C] for [0, 1] images [N, C, H, W]. */
  logits(pixels: Tensor): Tensor {
    return this.model.call(this.modelInput(pixels));
  }

  /**
   * The objective at `pixels` and its gradient with respect to them (not to the model's
   * parameters, whose .grad stays untouched). `objective` maps logits to a scalar.
   */
  gradient(pixels: Tensor, objective: (logits: Tensor) => Tensor): { value: Tensor; grad: Tensor; logits: Tensor } {
    const x = pixels.detach().requiresGrad_(true);
    const logits = this.logits(x);
    const value = objective(logits);
    const [g] = grad(value, x);
    return { value: value.detach(), grad: g!, logits: logits.detach() };
  }
}
