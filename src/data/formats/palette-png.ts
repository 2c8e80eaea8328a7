// Palette (indexed-colour) PNG encoding, the format of VOC's SegmentationClass masks: one
// byte per pixel is the class index and the PLTE chunk gives each index its colour, so a
// viewer shows colours while a reader that keeps indices gets the classes back exactly.
// sharp quantises when asked for a palette, so the few chunks are written here.
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit palette PNG of a row-major height×width index array; palette[i] is index i's [r, g, b]. */
export function encodePalettePng(indices: Uint8Array, height: number, width: number, palette: readonly (readonly [number, number, number])[]): Buffer {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new RangeError(`encodePalettePng: height and width must be positive integers, got ${height}×${width}`);
  }
  if (indices.length !== height * width) throw new RangeError(`encodePalettePng: ${indices.length} indices for a ${height}×${width} image`);
  if (palette.length < 1 || palette.length > 256) throw new RangeError(`encodePalettePng: the palette must have 1 to 256 colours, got ${palette.length}`);
  for (const v of indices) if (v >= palette.length) throw new RangeError(`encodePalettePng: index ${v} has no colour in the ${palette.length}-colour palette`);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 3; // colour type: palette
  const plte = Buffer.alloc(palette.length * 3);
  palette.forEach(([r, g, b], i) => { plte[3 * i] = r; plte[3 * i + 1] = g; plte[3 * i + 2] = b; });
  // Every scanline starts with filter type 0 (none).
  const raw = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(indices.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('PLTE', plte), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}
