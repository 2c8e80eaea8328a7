// Vega-Lite spec → PNG of an exact pixel size. Vega lays the chart out and writes SVG
// without a browser or canvas (renderer 'none'); sharp rasterises it through librsvg,
// whose text goes through fontconfig (Debian: fonts-dejavu-core).
import * as vl from 'vega-lite';
import * as vega from 'vega';
import sharp from 'sharp';

export interface PixelSize { width: number; height: number }

/** Shared look: one font family that librsvg finds on a stock Debian, white background. */
export const CHART_CONFIG = {
  font: 'DejaVu Sans, Verdana, sans-serif',
  background: 'white',
  view: { stroke: '#bbb' },
  title: { fontSize: 15, anchor: 'start' as const },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
};

/** Renders the spec to SVG; its width and height are those Vega's layout chose. */
export async function vegaLiteToSvg(spec: vl.TopLevelSpec): Promise<string> {
  // Layout warnings (an empty series, a clipped label) would only clutter training logs.
  const compiled = vl.compile(spec, { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Rasterises the chart so that it fills `size` as far as its aspect ratio allows, then
 * pads with white to exactly that size: callers get the dimensions they asked for even
 * when a layout (legends, concatenated panels) makes Vega's own size differ a little.
 */
export async function vegaLiteToPng(spec: vl.TopLevelSpec, size: PixelSize): Promise<Buffer> {
  checkSize(size);
  const svg = await vegaLiteToSvg(spec);
  const natural = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!natural) throw new Error('vegaLiteToPng: Vega produced SVG without a width and height');
  const scale = Math.min(size.width / Number(natural[1]), size.height / Number(natural[2]));
  return sharp(Buffer.from(svg), { density: 72 * scale })
    .resize(size.width, size.height, { fit: 'contain', background: '#ffffff' })
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer();
}

function checkSize(size: PixelSize): void {
  for (const k of ['width', 'height'] as const) {
    const v = size[k];
    if (!Number.isInteger(v) || v < 50 || v > 8000) throw new RangeError(`chart ${k} must be an integer in [50, 8000] pixels, got ${v}`);
  }
}
