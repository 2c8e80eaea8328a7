// A tiny 3-class image problem written as .npy files: horizontal stripes, vertical
// stripes and a centred square on 16×16 grayscale images, with noise and random shifts.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tensor } from '../../src/torch/index.js';
import { encodeNpy, writeImage } from '../../src/data/index.js';

export const SIZE = 16;
export const CLASS_NAMES = ['horizontal', 'vertical', 'square'];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One 16×16 image of a class as bytes. */
export function patternImage(cls: number, rand: () => number): Uint8Array {
  const img = new Uint8Array(SIZE * SIZE);
  const shift = Math.floor(rand() * 4);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const on = cls === 0 ? (y + shift) % 4 < 2
        : cls === 1 ? (x + shift) % 4 < 2
          : x >= 4 + shift - 1 && x < 12 + shift - 1 && y >= 4 && y < 12;
      const v = (on ? 200 : 40) + (rand() - 0.5) * 60;
      img[y * SIZE + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return img;
}

function makeSplit(n: number, seed: number): { images: Uint8Array; labels: BigInt64Array } {
  const rand = mulberry32(seed);
  const images = new Uint8Array(n * SIZE * SIZE);
  const labels = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const cls = i % 3;
    images.set(patternImage(cls, rand), i * SIZE * SIZE);
    labels[i] = BigInt(cls);
  }
  return { images, labels };
}

/** Writes train_images/train_labels (nTrain) and test_images/test_labels (nTest) into dir. */
export function writeSyntheticNpy(dir: string, nTrain = 300, nTest = 90): void {
  mkdirSync(dir, { recursive: true });
  for (const [split, n, seed] of [['train', nTrain, 1], ['test', nTest, 2]] as const) {
    const { images, labels } = makeSplit(n, seed);
    writeFileSync(path.join(dir, `${split}_images.npy`), encodeNpy(tensor(images, { shape: [n, SIZE, SIZE] })));
    writeFileSync(path.join(dir, `${split}_labels.npy`), encodeNpy(tensor(labels)));
  }
}

/**
 * The noisy-label study's layout: DIR/images/00001.png ..., DIR/noisy_labels.csv (a label
 * per image, `noiseRate` of them wrong) and DIR/clean_labels.csv (true labels of the
 * first `cleanCount`). Returns the true labels.
 */
export async function writeSyntheticLabelledDir(dir: string, n: number, cleanCount: number, noiseRate: number): Promise<Int32Array> {
  mkdirSync(path.join(dir, 'images'), { recursive: true });
  const rand = mulberry32(7);
  const truth = new Int32Array(n);
  const noisy: number[] = [];
  for (let i = 0; i < n; i++) {
    const cls = i % 3;
    truth[i] = cls;
    await writeImage(path.join(dir, 'images', `${String(i + 1).padStart(5, '0')}.png`), tensor(patternImage(cls, rand), { shape: [1, SIZE, SIZE] }));
    noisy.push(rand() < noiseRate ? (cls + 1 + Math.floor(rand() * 2)) % 3 : cls);
  }
  writeFileSync(path.join(dir, 'noisy_labels.csv'), `${noisy.join('\n')}\n`);
  writeFileSync(path.join(dir, 'clean_labels.csv'), `${Array.from(truth.subarray(0, cleanCount)).join('\n')}\n`);
  return truth;
}
