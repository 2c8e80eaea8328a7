// Single-garment images in the scenes' style: one Fashion-MNIST garment, tinted and shaded
// as in a scene, at a random size and position on a textured background, labelled with its
// class. A classifier trained on them learns what tells the garments apart as they look in
// scenes, which is the pretraining a scenes segmentation backbone can start from (the
// study's backbones came pretrained on ImageNet, which cannot be fetched here).
import { tensor } from '../../torch/index.js';
import { TensorDataset } from '../dataset.js';
import { Rng } from '../transforms/rng.js';
import { composeScene, SCENE_CLASSES, type GarmentSource } from './compose-scene.js';

/** Blank garments drawn in a row before giving up on the source. */
const MAX_DRAWS = 1000;

export interface GarmentImagesOptions {
  /** Images to make. */
  count: number;
  /** Canvas side in pixels. Default 32. */
  size?: number;
  /** Garment sides in pixels. Default 16 to the canvas side. */
  minSide?: number;
  maxSide?: number;
  seed?: number;
}

/** `count` images [N, 3, size, size] (uint8) and their garment classes 0-9 (Fashion-MNIST's). */
export function garmentImages(source: GarmentSource, opts: GarmentImagesOptions): TensorDataset {
  const who = 'garmentImages';
  const size = opts.size ?? 32;
  const minSide = opts.minSide ?? 16;
  const maxSide = opts.maxSide ?? size;
  if (!Number.isInteger(opts.count) || opts.count < 1) throw new RangeError(`${who}: count must be a positive integer, got ${opts.count}`);
  if (!Number.isInteger(size) || size < 8) throw new RangeError(`${who}: size must be an integer of at least 8 pixels, got ${size}`);
  if (!(Number.isInteger(minSide) && Number.isInteger(maxSide) && minSide >= 1 && minSide <= maxSide && maxSide <= size)) {
    throw new RangeError(`${who}: need integer sides with 1 <= minSide <= maxSide <= size (${size}), got ${minSide} and ${maxSide}`);
  }
  const rng = new Rng(opts.seed ?? 0);
  const sceneOptions = { height: size, width: size, minSide, maxSide, minObjects: 1, maxObjects: 1 };
  const plane = size * size;
  const pixels = new Uint8Array(opts.count * 3 * plane);
  const labels = new Int32Array(opts.count);
  for (let n = 0; n < opts.count; n++) {
    // A garment whose pixels all fall under the object threshold leaves no object: draw again.
    let scene = composeScene(source, sceneOptions, rng);
    for (let tries = 1; scene.objects.length === 0; tries++) {
      if (tries === MAX_DRAWS) throw new RangeError(`${who}: ${MAX_DRAWS} garments in a row left no visible pixels; are the source's images blank?`);
      scene = composeScene(source, sceneOptions, rng);
    }
    labels[n] = scene.objects[0]!.classIndex - 1;
    // The scene's pixels are height × width × 3; the dataset's are channels first.
    const base = n * 3 * plane;
    for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) pixels[base + c * plane + p] = scene.rgb[3 * p + c]!;
  }
  const images = tensor(pixels, { shape: [opts.count, 3, size, size] });
  return new TensorDataset(images, tensor(labels, { dtype: 'int64' }), SCENE_CLASSES.slice(1), labels);
}
