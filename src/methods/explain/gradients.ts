// Gradient attributions of a class score with respect to the input pixels: vanilla
// gradients (Simonyan et al. 2014), SmoothGrad (Smilkov et al. 2017: the average over
// noisy copies, which removes the gradient's pixel-level noise) and Integrated Gradients
// (Sundararajan et al. 2017: the path integral from a baseline, whose attributions add
// up to the score difference). Images are [0, 1] pixels; the model's normalisation is
// applied inside, as for the attacks.
import { type Tensor, type Generator, tidy, noGrad, randn, zerosLike } from '../../torch/index.js';
import { type AttackTarget, victimOf, type InputNormalization, type Victim } from '../attacks/index.js';

export interface ExplainOptions {
  /** Class explained per image [N] (default: the predicted class). */
  classes?: Tensor;
  normalization?: InputNormalization | null;
}

/** The classes to explain: given, or the model's predictions. */
export function classesToExplain(victim: Victim, images: Tensor, classes?: Tensor): Tensor {
  if (classes) {
    if (classes.ndim !== 1 || classes.shape[0] !== images.shape[0]) {
      throw new RangeError(`explain: classes must be [N] = [${images.shape[0]}], got [${classes.shape.join(', ')}]`);
    }
    return classes;
  }
  return noGrad(() => victim.logits(images).argmax(1));
}

function checkImages(who: string, images: Tensor): void {
  if (images.ndim !== 4 || !images.dtype.startsWith('float')) {
    throw new RangeError(`${who}: images must be float N×C×H×W in [0, 1], got ${images.dtype} [${images.shape.join(', ')}]`);
  }
}

/** ∂ score / ∂ pixels for the chosen class of each image, summed score so that each image gets its own gradient. */
function scoreGradient(victim: Victim, images: Tensor, classes: Tensor): Tensor {
  return victim.gradient(images, (logits) => logits.gather(1, classes.unsqueeze(1)).sum()).grad;
}

/** The gradient of the class score [N, C, H, W]. */
export function vanillaGradient(target: AttackTarget, images: Tensor, opts: ExplainOptions = {}): Tensor {
  checkImages('vanillaGradient', images);
  const victim = victimOf(target, opts.normalization);
  return tidy(() => scoreGradient(victim, images.detach(), classesToExplain(victim, images, opts.classes)));
}

export interface SmoothGradOptions extends ExplainOptions {
  /** Noisy copies averaged. Default 25. */
  samples?: number;
  /** Noise standard deviation in pixel units. Default 0.15 (15% of the [0, 1] range). */
  sigma?: number;
  generator?: Generator;
}

export function smoothGrad(target: AttackTarget, images: Tensor, opts: SmoothGradOptions = {}): Tensor {
  checkImages('smoothGrad', images);
  const samples = opts.samples ?? 25;
  const sigma = opts.sigma ?? 0.15;
  if (!(Number.isInteger(samples) && samples >= 1)) throw new RangeError(`smoothGrad: samples must be a positive integer, got ${samples}`);
  if (!(sigma >= 0)) throw new RangeError(`smoothGrad: sigma must be non-negative, got ${sigma}`);
  const victim = victimOf(target, opts.normalization);
  const x = images.detach();
  const classes = tidy(() => classesToExplain(victim, x, opts.classes));
  let sum = tidy(() => zerosLike(x));
  for (let i = 0; i < samples; i++) {
    const next = tidy(() => {
      const noise = randn(x.shape, { dtype: x.dtype, device: x.device, ...(opts.generator ? { generator: opts.generator } : {}) }).mul(sigma);
      return sum.add(scoreGradient(victim, x.add(noise), classes));
    });
    sum.dispose();
    sum = next;
  }
  const mean = tidy(() => sum.div(samples));
  sum.dispose();
  if (classes !== opts.classes) classes.dispose();
  return mean;
}

export interface IntegratedGradientsOptions extends ExplainOptions {
  /** Points of the path (midpoint rule). Default 32. */
  steps?: number;
  /** The reference image (default black: zeros). */
  baseline?: Tensor;
}

/** (x − baseline) × the mean gradient along the straight path from the baseline to x: [N, C, H, W]. */
export function integratedGradients(target: AttackTarget, images: Tensor, opts: IntegratedGradientsOptions = {}): Tensor {
  checkImages('integratedGradients', images);
  const steps = opts.steps ?? 32;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new RangeError(`integratedGradients: steps must be a positive integer, got ${steps}`);
  const victim = victimOf(target, opts.normalization);
  const x = images.detach();
  const baseline = opts.baseline ?? tidy(() => zerosLike(x));
  const classes = tidy(() => classesToExplain(victim, x, opts.classes));
  let sum = tidy(() => zerosLike(x));
  for (let i = 0; i < steps; i++) {
    const next = tidy(() => {
      const point = baseline.add(x.sub(baseline).mul((i + 0.5) / steps));
      return sum.add(scoreGradient(victim, point, classes));
    });
    sum.dispose();
    sum = next;
  }
  const attributions = tidy(() => x.sub(baseline).mul(sum.div(steps)));
  sum.dispose();
  if (baseline !== opts.baseline) baseline.dispose();
  if (classes !== opts.classes) classes.dispose();
  return attributions;
}

/** A heat map [N, H, W] in [0, 1] from attributions [N, C, H, W]: the largest magnitude over channels, scaled per image. */
export function attributionMap(attributions: Tensor): Tensor {
  return tidy(() => {
    const m = attributions.abs().max(1).values;
    const top = m.flatten(1).max(1).values.clamp(1e-12, null).reshape([-1, 1, 1]);
    return m.div(top);
  });
}
