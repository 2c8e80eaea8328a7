// Rotations, shears, scalings and translations of whole batches: one sampling grid per
// sample (affine_grid_generator) and one grid_sampler call for the batch. The matrix
// conventions are torchvision's on tensors (its F.rotate, and F.affine's matrix): angles in
// degrees about the image centre, translations in pixels, shears in degrees. One
// difference: angles are counter-clockwise everywhere here, while torchvision's F.affine
// (unlike its F.rotate) takes clockwise angles.
import { type Tensor } from '../../torch/index.js';
import { sampleWithTheta } from './grid.js';
import { BaseTransform, type ImageMaskPair, type RandomOptions } from './transform.js';
import { inFloatMask, heightWidth } from './pixels.js';
import { type Rng } from './rng.js';

export interface AffineParams {
  /** Degrees, counter-clockwise. */
  angle?: number;
  /** Pixels [dx, dy]. */
  translate?: readonly [number, number];
  scale?: number;
  /** Degrees [x, y]. */
  shear?: readonly [number, number];
}

export interface WarpOptions {
  interpolation?: 'bilinear' | 'nearest';
  /** Value of pixels that come from outside the image. Default 0. */
  fill?: number;
}

/**
 * The 2×3 matrix mapping output pixel coordinates (relative to the centre) to input
 * ones: torchvision's _get_inverse_affine_matrix with centre 0 and angle negated, as in
 * its tensor F.affine.
 */
export function inverseAffineMatrix(p: AffineParams): number[] {
  const rot = (-(p.angle ?? 0) * Math.PI) / 180;
  const [shx, shy] = (p.shear ?? [0, 0]).map((s) => (s * Math.PI) / 180) as [number, number];
  const [tx, ty] = p.translate ?? [0, 0];
  const scale = p.scale ?? 1;
  if (!(scale > 0)) throw new RangeError(`affine: scale must be positive, got ${scale}`);
  const a = Math.cos(rot - shy) / Math.cos(shy);
  const b = (-Math.cos(rot - shy) * Math.tan(shx)) / Math.cos(shy) - Math.sin(rot);
  const c = Math.sin(rot - shy) / Math.cos(shy);
  const d = (-Math.sin(rot - shy) * Math.tan(shx)) / Math.cos(shy) + Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0].map((v) => v / scale);
  m[2] = m[0]! * -tx + m[1]! * -ty;
  m[5] = m[3]! * -tx + m[4]! * -ty;
  return m;
}

function isIdentity(m: readonly number[]): boolean {
  const id = [1, 0, 0, 0, 1, 0];
  return m.every((v, i) => Math.abs(v - id[i]!) < 1e-12);
}

/**
 * Warps each sample n with its own pixel-space matrix matrices[6n .. 6n+5] (output to
 * input, centre-relative). affine_grid works in [-1, 1] coordinates, so the matrix is
 * rescaled by the half-width and half-height.
 */
export function warpPerSample(x: Tensor, matrices: ArrayLike<number>, opts: WarpOptions = {}): Tensor {
  const [n, , h, w] = x.shape as [number, number, number, number];
  if (matrices.length !== 6 * n) throw new Error(`warpPerSample: expected ${6 * n} matrix entries for ${n} images, got ${matrices.length}`);
  const theta = new Float64Array(6 * n);
  for (let k = 0; k < n; k++) {
    const m = Array.from({ length: 6 }, (_, i) => matrices[6 * k + i]!);
    theta.set([m[0]!, (m[1]! * h) / w, (2 * m[2]!) / w, (m[3]! * w) / h, m[4]!, (2 * m[5]!) / h], 6 * k);
  }
  return sampleWithTheta(x, theta, h, w, { interpolation: opts.interpolation, fill: opts.fill });
}

/** Warps masks with nearest-neighbour sampling; outside pixels get fill. */
function warpMasks(m: Tensor, matrices: ArrayLike<number>, fill: number): Tensor {
  return inFloatMask(m, (mf) => warpPerSample(mf, matrices, { interpolation: 'nearest', fill }));
}

function allIdentity(matrices: Float64Array): boolean {
  for (let k = 0; k < matrices.length; k += 6) if (!isIdentity(Array.from(matrices.subarray(k, k + 6)))) return false;
  return true;
}

function repeatMatrix(m: number[], n: number): Float64Array {
  const out = new Float64Array(6 * n);
  for (let k = 0; k < n; k++) out.set(m, 6 * k);
  return out;
}

/** The same affine transform applied to every image of the batch. */
export function affine(x: Tensor, params: AffineParams, opts: WarpOptions = {}): Tensor {
  const m = inverseAffineMatrix(params);
  if (isIdentity(m)) return x;
  const single = x.ndim === 3;
  const x4 = single ? x.unsqueeze(0) : x;
  const out = warpPerSample(x4, repeatMatrix(m, x4.shape[0]!), opts);
  return single ? out.squeeze(0) : out;
}

/** Rotates every image by angle degrees counter-clockwise about its centre (same size, corners filled). */
export function rotate(x: Tensor, angle: number, opts: WarpOptions = {}): Tensor {
  return affine(x, { angle }, opts);
}

type Range = readonly [number, number];
function symmetricRange(v: number | Range, what: string, who: string): Range {
  if (typeof v === 'number') {
    if (v < 0) throw new RangeError(`${who}: ${what} must be non-negative when given as one number, got ${v}`);
    return [-v, v];
  }
  if (v.length !== 2 || !(v[0] <= v[1])) throw new RangeError(`${who}: ${what} must be [min, max], got ${JSON.stringify(v)}`);
  return v;
}

export interface RandomAffineOptions extends RandomOptions, WarpOptions {
  /** Rotation range in degrees: d means [-d, d]. Default 0. */
  degrees?: number | Range;
  /** Maximal translation as fractions of width and height: [fx, fy]. */
  translate?: readonly [number, number];
  /** Scale range [min, max]. */
  scale?: Range;
  /** Shear in degrees: s (x only, [-s, s]), [min, max] (x only), or [xmin, xmax, ymin, ymax]. */
  shear?: number | Range | readonly [number, number, number, number];
  /** Fill of segmentation masks outside the image (e.g. 255 as an ignore label). Default 0. */
  maskFill?: number;
}

/** Random rotation, translation, scale and shear per sample (torchvision's RandomAffine). Identity in eval mode. */
export class RandomAffine extends BaseTransform {
  readonly kind = 'geometric' as const;
  private readonly degrees: Range;
  private readonly shearX: Range;
  private readonly shearY: Range;

  constructor(readonly options: RandomAffineOptions = {}) {
    super(options);
    const who = this.constructor.name;
    this.degrees = symmetricRange(options.degrees ?? 0, 'degrees', who);
    const sh = options.shear ?? 0;
    if (typeof sh !== 'number' && sh.length === 4) {
      this.shearX = [sh[0], sh[1]];
      this.shearY = [sh[2], sh[3]];
    } else {
      this.shearX = symmetricRange(sh as number | Range, 'shear', who);
      this.shearY = [0, 0];
    }
    const t = options.translate;
    if (t && !(t.length === 2 && t.every((v) => v >= 0 && v <= 1))) throw new RangeError(`${who}: translate must be [fx, fy] fractions in [0, 1], got ${JSON.stringify(t)}`);
    const s = options.scale;
    if (s && !(s.length === 2 && s[0] > 0 && s[0] <= s[1])) throw new RangeError(`${who}: scale must be [min, max] with 0 < min <= max, got ${JSON.stringify(s)}`);
  }

  private matrices(n: number, h: number, w: number, rng: Rng): Float64Array {
    const out = new Float64Array(6 * n);
    const { translate, scale } = this.options;
    for (let k = 0; k < n; k++) {
      const angle = rng.uniform(this.degrees[0], this.degrees[1]);
      // torchvision rounds translations to whole pixels.
      const tx = translate ? Math.round(rng.uniform(-translate[0] * w, translate[0] * w)) : 0;
      const ty = translate ? Math.round(rng.uniform(-translate[1] * h, translate[1] * h)) : 0;
      const sc = scale ? rng.uniform(scale[0], scale[1]) : 1;
      const shx = rng.uniform(this.shearX[0], this.shearX[1]);
      const shy = rng.uniform(this.shearY[0], this.shearY[1]);
      out.set(inverseAffineMatrix({ angle, translate: [tx, ty], scale: sc, shear: [shx, shy] }), 6 * k);
    }
    return out;
  }

  protected forward(x: Tensor, rng: Rng): Tensor {
    if (!this.training) return x;
    const [h, w] = heightWidth(x);
    const m = this.matrices(x.shape[0]!, h, w, rng);
    // Resampling at exact pixel centres still blurs by rounding error; skip it when nothing moves.
    if (allIdentity(m)) return x;
    return warpPerSample(x, m, this.options);
  }

  protected override forwardPair(images: Tensor, masks: Tensor, rng: Rng): ImageMaskPair {
    if (!this.training) return { images, masks };
    const [h, w] = heightWidth(images);
    const m = this.matrices(images.shape[0]!, h, w, rng);
    return { images: warpPerSample(images, m, this.options), masks: warpMasks(masks, m, this.options.maskFill ?? 0) };
  }
}

/** Random rotation per sample, angle uniform in [-degrees, degrees] (or [min, max]). Identity in eval mode. */
export class RandomRotation extends RandomAffine {
  constructor(degrees: number | Range, opts: RandomOptions & WarpOptions & { maskFill?: number } = {}) {
    super({ ...opts, degrees });
  }
}
