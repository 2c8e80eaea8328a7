// Heat maps over images: a map in [0, 1] coloured with a blue-cyan-yellow-red ramp (the
// classic "jet" of saliency figures) and blended over the greyed image, so one sees at
// once where the evidence lies and on what.
import { type Tensor, tidy, cat } from '../../torch/index.js';

/** RGB [N, 3, H, W] of a map [N, H, W] in [0, 1] (jet: 0 blue, 0.5 green-yellow, 1 red). */
export function colorize(heat: Tensor): Tensor {
  return tidy(() => {
    const h = heat.clamp(0, 1).unsqueeze(1);
    const channel = (centre: number) => h.sub(centre).abs().mul(-4).add(1.5).clamp(0, 1);
    return cat([channel(0.75), channel(0.5), channel(0.25)], 1);
  });
}

/** The image (grey or RGB, [0, 1]) with the coloured map blended in at `alpha`. */
export function heatmapOverlay(images: Tensor, heat: Tensor, alpha = 0.5): Tensor {
  if (images.ndim !== 4 || heat.ndim !== 3 || images.shape[0] !== heat.shape[0] || images.shape[2] !== heat.shape[1] || images.shape[3] !== heat.shape[2]) {
    throw new RangeError(`heatmapOverlay: expected images [N, C, H, W] and maps [N, H, W] of the same size, got [${images.shape.join(', ')}] and [${heat.shape.join(', ')}]`);
  }
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`heatmapOverlay: alpha must be in [0, 1], got ${alpha}`);
  return tidy(() => {
    const rgb = images.shape[1] === 1 ? images.expand(-1, 3, -1, -1) : images;
    return rgb.mul(1 - alpha).add(colorize(heat).mul(alpha)).clamp(0, 1);
  });
}
