// A grid of images with optional captions and coloured borders, rendered to PNG with sharp.
// Captions and borders are an SVG overlay (librsvg draws the text), so reports can colour
// each cell: green for a correct prediction, red for a wrong one.
import sharp from 'sharp';
import { Tensor, tidy, ops } from '../torch/index.js';
import { writeFileAtomic } from '../io/atomic-write.js';

export interface ImageGridOptions {
  /** Columns; default ceil(sqrt(N)). */
  cols?: number;
  captions?: string[];
  /** CSS colours per cell for the captions (default black). */
  captionColors?: string[];
  /** CSS colours per cell for a border drawn in the padding (default none). */
  borderColors?: string[];
  /** Integer nearest-neighbour magnification; default makes cells at least 64 pixels wide. */
  scale?: number;
  /** Pixels around each image (the border is this wide). Default 2. */
  padding?: number;
  /** Caption font size in pixels. Default 12. */
  fontSize?: number;
  background?: string;
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** N×3×(H·s)×(W·s) uint8 as H×W×3-interleaved bytes per image. */
function cellPixels(images: Tensor, scale: number): { bytes: Uint8Array; h: number; w: number } {
  return tidy(() => {
    let x = images;
    if (x.dtype !== 'uint8') {
      if (!x.dtype.startsWith('float')) throw new Error(`imageGrid: images must be uint8 or float in [0, 1], got ${x.dtype}`);
      x = x.mul(255).round().clamp(0, 255).to('uint8');
    }
    if (x.shape[1] === 1) x = x.expand(-1, 3, -1, -1);
    if (scale > 1) x = ops.repeat_interleave$self_int(ops.repeat_interleave$self_int(x, scale, 2), scale, 3);
    const [, , h, w] = x.shape as [number, number, number, number];
    const bytes = x.permute(0, 2, 3, 1).cpu().contiguous().toTypedArray() as Uint8Array;
    return { bytes, h, w };
  });
}

export async function imageGrid(images: Tensor, opts: ImageGridOptions = {}): Promise<Buffer> {
  const shape = images.shape;
  if (shape.length !== 4 || (shape[1] !== 1 && shape[1] !== 3)) throw new Error(`imageGrid: expected N×C×H×W images with C = 1 or 3, got [${shape}]`);
  const [n, , h0, w0] = shape as [number, number, number, number];
  if (n === 0) throw new Error('imageGrid: no images');
  for (const [name, arr] of [['captions', opts.captions], ['captionColors', opts.captionColors], ['borderColors', opts.borderColors]] as const) {
    if (arr && arr.length !== n) throw new Error(`imageGrid: ${name} has ${arr.length} entries for ${n} images`);
  }
  const cols = Math.max(1, Math.min(n, opts.cols ?? Math.ceil(Math.sqrt(n))));
  const rows = Math.ceil(n / cols);
  const scale = opts.scale ?? Math.max(1, Math.ceil(64 / Math.max(h0, w0)));
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`imageGrid: scale must be a positive integer, got ${scale}`);
  const pad = opts.padding ?? 2;
  const fontSize = opts.fontSize ?? 12;
  const capH = opts.captions ? Math.ceil(fontSize * 1.5) : 0;
  const { bytes, h, w } = cellPixels(images, scale);
  const cellW = w + 2 * pad;
  const cellH = h + 2 * pad + capH;
  const width = cols * cellW;
  const height = rows * cellH;

  const layers: sharp.OverlayOptions[] = [];
  const svg: string[] = [];
  const per = h * w * 3;
  const maxChars = Math.max(1, Math.floor(cellW / (fontSize * 0.6)));
  for (let i = 0; i < n; i++) {
    const left = (i % cols) * cellW;
    const top = Math.floor(i / cols) * cellH;
    layers.push({ input: Buffer.from(bytes.buffer, bytes.byteOffset + i * per, per), raw: { width: w, height: h, channels: 3 }, left: left + pad, top: top + pad });
    const border = opts.borderColors?.[i];
    if (border && pad > 0) {
      svg.push(`<rect x="${left + pad / 2}" y="${top + pad / 2}" width="${w + pad}" height="${h + pad}" fill="none" stroke="${escapeXml(border)}" stroke-width="${pad}"/>`);
    }
    const caption = opts.captions?.[i];
    if (caption) {
      const text = caption.length > maxChars ? `${caption.slice(0, maxChars - 1)}…` : caption;
      const colour = escapeXml(opts.captionColors?.[i] ?? 'black');
      svg.push(`<text x="${left + cellW / 2}" y="${top + 2 * pad + h + fontSize}" font-family="DejaVu Sans, sans-serif" font-size="${fontSize}" text-anchor="middle" fill="${colour}">${escapeXml(text)}</text>`);
    }
  }
  if (svg.length) {
    layers.push({ input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${svg.join('')}</svg>`), left: 0, top: 0 });
  }
  return sharp({ create: { width, height, channels: 3, background: opts.background ?? 'white' } }).composite(layers).png().toBuffer();
}

/** Renders the grid and writes it atomically as a PNG. */
export async function writeImageGrid(file: string, images: Tensor, opts: ImageGridOptions = {}): Promise<void> {
  await writeFileAtomic(file, await imageGrid(images, opts), { createParentDir: true });
}
