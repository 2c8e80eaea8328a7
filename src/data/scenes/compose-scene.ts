// One scene of the scenes data set: a textured background with 0 to maxObjects tinted
// Fashion-MNIST garments pasted at random sizes and positions (later ones on top), its
// class mask with VOC's ignore ring around every object, and each visible object's box.
// Per-pixel work is plain JS: a 64×64 scene is a few thousand pixels, made once.
import { type Rng } from '../transforms/rng.js';

export const SCENE_CLASSES = [
  'background', 'tshirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankleboot',
];
/** The mask value of pixels a loss and the metrics skip, as in VOC. */
export const SCENE_IGNORE = 255;
/** A garment pixel belongs to the object where its Fashion-MNIST intensity exceeds this (of 255). */
const OBJECT_THRESHOLD = 24;

/** Fashion-MNIST images (count × 28 × 28 bytes) and their classes 0-9. */
export interface GarmentSource { pixels: Uint8Array; labels: Int32Array; count: number }

export interface SceneOptions {
  height: number;
  width: number;
  minSide: number;
  maxSide: number;
  maxObjects: number;
  /** At least this many garments (default 0): 1 and maxObjects 1 make single-garment images. */
  minObjects?: number;
}

export interface SceneObject {
  /** Index in SCENE_CLASSES (1 + the Fashion-MNIST class). */
  classIndex: number;
  /** 1-based inclusive box of the object's visible pixels. */
  box: { xmin: number; ymin: number; xmax: number; ymax: number };
}

export interface Scene {
  /** Row-major height × width × 3 bytes. */
  rgb: Uint8Array;
  /** Row-major height × width class indices, SCENE_IGNORE on the rings. */
  mask: Uint8Array;
  objects: SceneObject[];
}

function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + h * 6) % 6;
    return 255 * (v - v * s * Math.max(0, Math.min(k, 4 - k, 1)));
  };
  return [f(5), f(3), f(1)];
}

/** Muted two-colour texture: stripes or a wavy blend at a random angle and scale, with grain. */
function paintBackground(rgb: Float32Array, h: number, w: number, rng: Rng): void {
  const a = hsvToRgb(rng.next(), rng.uniform(0.05, 0.35), rng.uniform(0.25, 0.85));
  const b = hsvToRgb(rng.next(), rng.uniform(0.05, 0.35), rng.uniform(0.25, 0.85));
  const angle = rng.uniform(0, Math.PI);
  const freq = rng.uniform(0.08, 0.5);
  const wavy = rng.next() < 0.5;
  const phase = rng.uniform(0, 2 * Math.PI);
  const [ca, sa] = [Math.cos(angle), Math.sin(angle)];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = x * ca + y * sa;
      const t = wavy ? 0.5 + 0.5 * Math.sin(freq * u + 2 * Math.sin(0.15 * (y * ca - x * sa)) + phase) : (Math.sin(freq * u + phase) > 0 ? 1 : 0);
      const grain = rng.uniform(-12, 12);
      for (let c = 0; c < 3; c++) rgb[3 * (y * w + x) + c] = a[c]! * (1 - t) + b[c]! * t + grain;
    }
  }
}

/** Bilinear resampling of a 28×28 garment to side×side (pixel centres aligned). */
function resizeGarment(src: Uint8Array, offset: number, side: number): Float32Array {
  const out = new Float32Array(side * side);
  const scale = 28 / side;
  for (let y = 0; y < side; y++) {
    const sy = Math.min(27, Math.max(0, (y + 0.5) * scale - 0.5));
    const y0 = Math.floor(sy), y1 = Math.min(27, y0 + 1), fy = sy - y0;
    for (let x = 0; x < side; x++) {
      const sx = Math.min(27, Math.max(0, (x + 0.5) * scale - 0.5));
      const x0 = Math.floor(sx), x1 = Math.min(27, x0 + 1), fx = sx - x0;
      const p = (yy: number, xx: number) => src[offset + yy * 28 + xx]!;
      out[y * side + x] = (p(y0, x0) * (1 - fx) + p(y0, x1) * fx) * (1 - fy) + (p(y1, x0) * (1 - fx) + p(y1, x1) * fx) * fy;
    }
  }
  return out;
}

/**
 * VOC marks the outline of every object as 'void': here, each pixel next to (4-neighbour)
 * a pixel of an object drawn above it, so the ring lies just outside the upper object.
 */
function markRings(instance: Int16Array, mask: Uint8Array, h: number, w: number): void {
  const ring = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const me = instance[p]!;
      if ((x > 0 && instance[p - 1]! > me) || (x + 1 < w && instance[p + 1]! > me) ||
        (y > 0 && instance[p - w]! > me) || (y + 1 < h && instance[p + w]! > me)) ring[p] = 1;
    }
  }
  for (let p = 0; p < ring.length; p++) if (ring[p]) mask[p] = SCENE_IGNORE;
}

export function composeScene(source: GarmentSource, opts: SceneOptions, rng: Rng): Scene {
  const { height: h, width: w } = opts;
  const colour = new Float32Array(h * w * 3);
  paintBackground(colour, h, w, rng);
  const instance = new Int16Array(h * w).fill(-1);
  const classOf: number[] = [];
  const count = rng.intBetween(opts.minObjects ?? 0, opts.maxObjects);
  const maxSide = Math.min(opts.maxSide, h, w);
  for (let k = 0; k < count; k++) {
    const g = rng.int(source.count);
    const side = rng.intBetween(Math.min(opts.minSide, maxSide), maxSide);
    const top = rng.intBetween(0, h - side), left = rng.intBetween(0, w - side);
    // Saturated, mid-to-bright tints stand out from the muted backgrounds.
    const tint = hsvToRgb(rng.next(), rng.uniform(0.55, 1), rng.uniform(0.7, 1));
    const garment = resizeGarment(source.pixels, g * 784, side);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const v = garment[y * side + x]!;
        if (v <= OBJECT_THRESHOLD) continue;
        const p = (top + y) * w + left + x;
        // The garment's own shading survives the tint, so its texture still tells its class.
        const shade = 0.35 + 0.65 * (v / 255);
        for (let c = 0; c < 3; c++) colour[3 * p + c] = tint[c]! * shade;
        instance[p] = k;
      }
    }
    classOf.push(source.labels[g]! + 1);
  }
  const mask = new Uint8Array(h * w);
  for (let p = 0; p < mask.length; p++) mask[p] = instance[p]! < 0 ? 0 : classOf[instance[p]!]!;
  markRings(instance, mask, h, w);
  const objects: SceneObject[] = [];
  classOf.forEach((classIndex, k) => {
    let xmin = w, ymin = h, xmax = -1, ymax = -1;
    for (let p = 0; p < mask.length; p++) {
      if (instance[p] !== k || mask[p] === SCENE_IGNORE) continue;
      const x = p % w, y = (p - x) / w;
      if (x < xmin) xmin = x;
      if (x > xmax) xmax = x;
      if (y < ymin) ymin = y;
      if (y > ymax) ymax = y;
    }
    // An object hidden under later ones is not in the picture, so it is not annotated.
    if (xmax >= 0) objects.push({ classIndex, box: { xmin: xmin + 1, ymin: ymin + 1, xmax: xmax + 1, ymax: ymax + 1 } });
  });
  const rgb = new Uint8Array(colour.length);
  for (let i = 0; i < rgb.length; i++) rgb[i] = Math.max(0, Math.min(255, Math.round(colour[i]!)));
  return { rgb, mask, objects };
}
