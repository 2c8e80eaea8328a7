// Image decoding and encoding through sharp (libvips). Images become uint8 tensors,
// C×H×W by default (the layout models consume) or H×W×C (the layout files store).
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { Tensor, tensor, tidy } from '../torch/index.js';
import { writeFileAtomic } from '../io/atomic-write.js';

export type ImageLayout = 'chw' | 'hwc';
/** [height, width], or one number for a square. */
export type ImageSize = [number, number] | number;

export interface DecodeOptions {
  /** 1 (grayscale) or 3 (RGB); by default grayscale files stay 1 channel and colour files give 3. Alpha is dropped. */
  channels?: 1 | 3;
  /** Resize to this size on load (stretching, like torchvision's Resize((h, w))). */
  size?: ImageSize;
  /** Resampling kernel; 'nearest' keeps exact values (masks). Default lanczos3. */
  kernel?: 'nearest' | 'linear' | 'cubic' | 'lanczos3';
  layout?: ImageLayout;
}

export interface DecodedPixels { data: Buffer; height: number; width: number; channels: 1 | 3 }

export function sizeHW(size: ImageSize): [number, number] {
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) throw new Error(`image size must be positive integers, got ${JSON.stringify(size)}`);
  return [h, w];
}

function describeSource(src: Buffer | string): string {
  return typeof src === 'string' ? src : `<buffer of ${src.length} bytes>`;
}

/** Decodes to interleaved H×W×C bytes; the error names the file. */
export async function decodePixels(src: Buffer | string, opts: Omit<DecodeOptions, 'layout'> = {}): Promise<DecodedPixels> {
  const name = describeSource(src);
  try {
    // Reading the file ourselves gives a plain ENOENT/EACCES message with the path in it.
    const input = typeof src === 'string' ? await fsp.readFile(src) : src;
    const meta = await sharp(input).metadata();
    const channels = opts.channels ?? ((meta.channels ?? 3) <= 2 ? 1 : 3);
    let img = sharp(input).removeAlpha();
    if (opts.size !== undefined) {
      const [h, w] = sizeHW(opts.size);
      img = img.resize(w, h, { fit: 'fill', kernel: opts.kernel ?? 'lanczos3' });
    }
    img = channels === 1 ? img.toColourspace('b-w') : img.toColourspace('srgb');
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels) throw new Error(`decoded ${info.channels} channels, expected ${channels}`);
    return { data, height: info.height, width: info.width, channels };
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(`cannot decode image ${name}: ${msg.startsWith('ENOENT') ? 'file not found' : msg}`, { cause: e });
  }
}

/** Decodes a PNG/JPEG/WebP/... file or buffer into a uint8 tensor (C×H×W unless layout 'hwc'). */
export async function decodeImage(src: Buffer | string, opts: DecodeOptions = {}): Promise<Tensor> {
  const { data, height, width, channels } = await decodePixels(src, opts);
  return hwcBytesToTensor(data, height, width, channels, opts.layout ?? 'chw');
}

export function hwcBytesToTensor(data: Uint8Array, h: number, w: number, c: number, layout: ImageLayout): Tensor {
  if (layout === 'hwc') return tensor(data, { shape: [h, w, c] });
  return tidy(() => tensor(data, { shape: [h, w, c] }).permute(2, 0, 1).contiguous());
}

/**
 * H×W×C bytes of an image tensor: uint8 as is, float taken to be in [0, 1]. Accepts
 * C×H×W (layout 'chw', the default), H×W×C ('hwc') or H×W.
 */
export function tensorToHwcBytes(t: Tensor, layout: ImageLayout = 'chw'): { data: Buffer; height: number; width: number; channels: 1 | 3 | 4 } {
  const shape = t.shape;
  return tidy(() => {
    let x = t;
    if (shape.length === 2) x = x.unsqueeze(layout === 'chw' ? 0 : 2);
    else if (shape.length !== 3) throw new Error(`expected an image tensor C×H×W, H×W×C or H×W, got shape [${shape}]`);
    if (layout === 'chw') x = x.permute(1, 2, 0);
    const [h, w, c] = x.shape as [number, number, number];
    if (c !== 1 && c !== 3 && c !== 4) throw new Error(`image tensor of shape [${shape}] (layout ${layout}) has ${c} channels; expected 1, 3 or 4`);
    if (x.dtype !== 'uint8') {
      if (!x.dtype.startsWith('float')) throw new Error(`image tensor must be uint8 or float in [0, 1], got ${x.dtype}`);
      x = x.mul(255).round().clamp(0, 255).to('uint8');
    }
    const bytes = x.cpu().contiguous().toTypedArray() as Uint8Array;
    return { data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), height: h, width: w, channels: c as 1 | 3 | 4 };
  });
}

function sharpFromTensor(t: Tensor, layout: ImageLayout): sharp.Sharp {
  const { data, height, width, channels } = tensorToHwcBytes(t, layout);
  const img = sharp(data, { raw: { width, height, channels } });
  // Without this, sharp writes one-channel input as an RGB file.
  return channels === 1 ? img.toColourspace('b-w') : img;
}

export async function encodePng(t: Tensor, opts: { layout?: ImageLayout } = {}): Promise<Buffer> {
  return sharpFromTensor(t, opts.layout ?? 'chw').png().toBuffer();
}

export async function encodeJpeg(t: Tensor, opts: { quality?: number; layout?: ImageLayout } = {}): Promise<Buffer> {
  return sharpFromTensor(t, opts.layout ?? 'chw').jpeg({ quality: opts.quality ?? 90 }).toBuffer();
}

/** Writes an image tensor atomically; the format follows the extension (.png, .jpg/.jpeg, .webp). */
export async function writeImage(file: string, t: Tensor, opts: { quality?: number; layout?: ImageLayout } = {}): Promise<void> {
  const ext = path.extname(file).toLowerCase();
  let bytes: Buffer;
  if (ext === '.png') bytes = await encodePng(t, opts);
  else if (ext === '.jpg' || ext === '.jpeg') bytes = await encodeJpeg(t, opts);
  else if (ext === '.webp') bytes = await sharpFromTensor(t, opts.layout ?? 'chw').webp({ quality: opts.quality ?? 90 }).toBuffer();
  else throw new Error(`writeImage: ${file}: unsupported extension '${ext}' (use .png, .jpg, .jpeg or .webp)`);
  await writeFileAtomic(file, bytes, { createParentDir: true });
}

/** Image file extensions the dataset readers pick up. */
export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.tif', '.tiff', '.avif']);

export function isImageFile(name: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase());
}
