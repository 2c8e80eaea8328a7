// What the two U-Nets (the segmentation `unet` and the `unet-denoiser`) share: the double
// 3×3 convolution block and the walk through their 'down', 'pool', 'up' and 'merge'
// children, each decoder level upsampled to its skip's own size and concatenated with it.
import { type Tensor, cat } from '../torch/index.js';
import { Module, Sequential, ModuleList, Conv2d, BatchNorm2d, ReLU, MaxPool2d } from '../nn/index.js';
import { child } from './options.js';

export function doubleConv(inCh: number, outCh: number): Sequential {
  // No conv bias: the batch norm that follows has its own shift.
  return new Sequential(
    new Conv2d(inCh, outCh, 3, { padding: 1, bias: false }), new BatchNorm2d(outCh), new ReLU(),
    new Conv2d(outCh, outCh, 3, { padding: 1, bias: false }), new BatchNorm2d(outCh), new ReLU(),
  );
}

/** The features the head sees: encoder down, decoder up with the skips. */
export function encodeDecode(m: Module, x: Tensor): Tensor {
  const down = child(m, 'down', ModuleList) as ModuleList<Sequential>;
  const pool = child(m, 'pool', MaxPool2d);
  const skips: Tensor[] = [];
  let y = x;
  for (let i = 0; i < down.length; i++) {
    if (i > 0) y = pool.call(y);
    y = down.at(i).call(y);
    skips.push(y);
  }
  const up = child(m, 'up', ModuleList) as ModuleList<Module<[Tensor, number[]?]>>;
  const merge = child(m, 'merge', ModuleList) as ModuleList<Sequential>;
  for (let j = 0; j < up.length; j++) {
    const skip = skips[skips.length - 2 - j]!;
    // Upsample to the skip's own size: an odd size pooled down comes back with its lost row.
    y = up.at(j).call(y, skip.shape.slice(2));
    y = merge.at(j).call(cat([skip, y], 1));
  }
  return y;
}
