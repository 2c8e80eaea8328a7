// Decodes PNGs for the report tests: size, and counts of pixels of a kind in a region.
import sharp from 'sharp';

export interface Decoded { width: number; height: number; channels: number; data: Buffer }

export async function decodePng(png: Buffer): Promise<Decoded> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data };
}

export interface Region { x0?: number; y0?: number; x1?: number; y1?: number }

export function countPixels(img: Decoded, test: (r: number, g: number, b: number) => boolean, region: Region = {}): number {
  const { x0 = 0, y0 = 0, x1 = img.width, y1 = img.height } = region;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * img.width + x) * img.channels;
      if (test(img.data[i]!, img.data[i + 1]!, img.data[i + 2]!)) n++;
    }
  }
  return n;
}

/** Near-black: text and axis labels. */
export const dark = (r: number, g: number, b: number) => r + g + b < 150;
/** Close to an RGB colour (antialiasing aside). */
export const near = (rgb: [number, number, number], tol = 40) => (r: number, g: number, b: number) =>
  Math.abs(r - rgb[0]) + Math.abs(g - rgb[1]) + Math.abs(b - rgb[2]) < tol;
