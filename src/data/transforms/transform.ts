// The Transform contract: one call per batch (N×C×H×W), seeded randomness, a training
// mode (random augmentation) and an evaluation mode (the deterministic test-time version).
import { Tensor, tidy } from '../../torch/index.js';
import { Rng } from './rng.js';

export interface ImageMaskPair { images: Tensor; masks: Tensor }

export interface Transform {
  /** Transforms a batch N×C×H×W (a single C×H×W image is accepted too). rng overrides the transform's own generator. */
  apply(batch: Tensor, rng?: Rng): Tensor;
  /**
   * Applies the same geometry to images and their segmentation masks ([N, H, W] or
   * [N, 1, H, W]); photometric transforms leave masks unchanged.
   */
  applyPair?(images: Tensor, masks: Tensor, rng?: Rng): ImageMaskPair;
  /**
   * 'geometric' transforms move pixels (and must move masks with them); 'photometric' ones
   * change values only. The built-in transforms all say which; a plain `{ apply }` object
   * may leave it out (it then cannot take part in applyPair).
   */
  readonly kind?: 'geometric' | 'photometric';
  readonly training?: boolean;
  /** Random augmentation on (the default). */
  train?(on?: boolean): unknown;
  /** The deterministic test-time version. */
  eval?(): unknown;
}

export interface RandomOptions {
  /** Seed of the transform's own generator (used when apply gets no rng). Default 0. */
  seed?: number;
}

/**
 * Shared plumbing: input checks, tidy around each call (intermediates are freed, the
 * input is not), single images, and the choice between a given rng and the own one.
 */
export abstract class BaseTransform implements Transform {
  abstract readonly kind: 'geometric' | 'photometric';
  training = true;
  protected rng: Rng;

  constructor(opts: RandomOptions = {}) {
    this.rng = new Rng(opts.seed ?? 0);
  }

  /** The batch-level computation on an N×C×H×W tensor. */
  protected abstract forward(x: Tensor, rng: Rng): Tensor;

  /** Pair version; the default handles photometric transforms (masks untouched). */
  protected forwardPair(images: Tensor, masks: Tensor, rng: Rng): ImageMaskPair {
    if (this.kind === 'geometric') throw new Error(`${this.constructor.name}: applyPair is not supported for this transform`);
    return { images: this.forward(images, rng), masks };
  }

  apply(batch: Tensor, rng?: Rng): Tensor {
    const single = checkImages(batch, this.constructor.name);
    const r = rng ?? this.rng;
    return tidy(() => {
      const x = single ? batch.unsqueeze(0) : batch;
      const y = this.forward(x, r);
      return single ? y.squeeze(0) : y;
    });
  }

  applyPair(images: Tensor, masks: Tensor, rng?: Rng): ImageMaskPair {
    const name = this.constructor.name;
    checkImages(images, name, true);
    checkMasks(masks, images, name);
    const r = rng ?? this.rng;
    return tidy(() => {
      const flat = masks.ndim === 3;
      const m4 = flat ? masks.unsqueeze(1) : masks;
      const out = this.forwardPair(images, m4, r);
      return { images: out.images, masks: flat ? out.masks.squeeze(1) : out.masks };
    });
  }

  train(on = true): this {
    this.training = on;
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  /** Restarts the transform's own generator. */
  reseed(seed: number): this {
    this.rng = new Rng(seed);
    return this;
  }
}

/** Returns true when the input is a single C×H×W image. */
export function checkImages(x: Tensor, who: string, batchOnly = false): boolean {
  if (!(x instanceof Tensor)) throw new TypeError(`${who}: expected a Tensor, got ${typeof x}`);
  const nd = x.ndim;
  if (nd === 4) return false;
  if (nd === 3 && !batchOnly) return true;
  throw new Error(`${who}: expected images N×C×H×W${batchOnly ? '' : ' (or one C×H×W image)'}, got shape [${x.shape}]`);
}

function checkMasks(masks: Tensor, images: Tensor, who: string): void {
  const ms = masks.shape;
  const is = images.shape;
  const ok = (ms.length === 3 && ms[0] === is[0] && ms[1] === is[2] && ms[2] === is[3]) ||
    (ms.length === 4 && ms[0] === is[0] && ms[1] === 1 && ms[2] === is[2] && ms[3] === is[3]);
  if (!ok) throw new Error(`${who}: masks must be [N, H, W] or [N, 1, H, W] matching images [${is}], got [${ms}]`);
}

/** Runs transforms in order; in training mode they share one random stream (the given rng, or the compose's own). */
export class Compose extends BaseTransform {
  readonly kind: 'geometric' | 'photometric';

  constructor(readonly transforms: Transform[], opts: RandomOptions = {}) {
    super(opts);
    if (!Array.isArray(transforms)) throw new TypeError('compose: expected an array of transforms');
    transforms.forEach((t, i) => {
      if (!t || typeof t.apply !== 'function') throw new TypeError(`compose: element ${i} is not a transform (no apply method)`);
    });
    this.kind = transforms.some((t) => t.kind === 'geometric') ? 'geometric' : 'photometric';
  }

  protected forward(x: Tensor, rng: Rng): Tensor {
    let y = x;
    for (const t of this.transforms) y = t.apply(y, rng);
    return y;
  }

  protected override forwardPair(images: Tensor, masks: Tensor, rng: Rng): ImageMaskPair {
    let pair: ImageMaskPair = { images, masks };
    for (const t of this.transforms) {
      if (t.applyPair) pair = t.applyPair(pair.images, pair.masks, rng);
      else if (t.kind === 'photometric') pair = { images: t.apply(pair.images, rng), masks: pair.masks };
      else throw new Error(`compose.applyPair: ${t.constructor.name} is not photometric and cannot move masks (no applyPair)`);
    }
    return pair;
  }

  override train(on = true): this {
    for (const t of this.transforms) t.train?.(on);
    return super.train(on);
  }
}

export function compose(transforms: Transform[], opts: RandomOptions = {}): Compose {
  return new Compose(transforms, opts);
}
