// Decodes a list of image files into one N×C×H×W uint8 buffer, a few files in flight at a
// time (sharp decodes on its own thread pool, so this keeps both cores busy).
import { decodePixels, sizeHW, type ImageSize } from '../image-io.js';

export interface DecodeListOptions {
  size?: ImageSize;
  channels?: 1 | 3;
  kernel?: 'nearest' | 'lanczos3';
  /** Leave undecodable files out (reported in `skipped`) instead of failing. */
  skipBad?: boolean;
  concurrency?: number;
}

export interface DecodedList {
  /** N×C×H×W bytes of the files that decoded, in input order. */
  pixels: Uint8Array;
  shape: [number, number, number, number];
  /** Indices (into the input list) of the files that decoded. */
  kept: number[];
  skipped: string[];
}

export async function decodeImageList(files: string[], opts: DecodeListOptions = {}): Promise<DecodedList> {
  const fixed = opts.size === undefined ? undefined : sizeHW(opts.size);
  const results: (Uint8Array | undefined)[] = new Array(files.length);
  const skipped = new Set<number>();
  let channels = opts.channels;
  let hw = fixed;
  // The first file decides channels and size when they are not given, so decode it alone.
  let next = 0;
  const decodeOne = async (i: number) => {
    try {
      const d = await decodePixels(files[i]!, { channels, size: fixed, kernel: opts.kernel });
      channels ??= d.channels;
      hw ??= [d.height, d.width];
      if (d.height !== hw[0] || d.width !== hw[1]) {
        throw new Error(`image ${files[i]} is ${d.height}×${d.width} but ${files[0]} is ${hw[0]}×${hw[1]}; pass size to resize on load`);
      }
      results[i] = chwFromHwc(d.data, d.height, d.width, d.channels);
    } catch (e) {
      if (!opts.skipBad) throw e;
      skipped.add(i);
    }
  };
  while (next < files.length && (channels === undefined || hw === undefined)) await decodeOne(next++);
  const worker = async () => { while (next < files.length) await decodeOne(next++); };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  const kept = files.map((_, i) => i).filter((i) => !skipped.has(i));
  const [h, w] = hw ?? [0, 0];
  const c = channels ?? 3;
  const per = c * h * w;
  const pixels = new Uint8Array(kept.length * per);
  kept.forEach((i, k) => pixels.set(results[i]!, k * per));
  return { pixels, shape: [kept.length, c, h, w], kept, skipped: [...skipped].sort((a, b) => a - b).map((i) => files[i]!) };
}

function chwFromHwc(src: Uint8Array, h: number, w: number, c: number): Uint8Array {
  if (c === 1) return src;
  const out = new Uint8Array(src.length);
  const plane = h * w;
  for (let p = 0; p < plane; p++) for (let k = 0; k < c; k++) out[k * plane + p] = src[p * c + k]!;
  return out;
}
