// The VGG-style trunk the scene CNN and fashion-vgg share: per width, a block of
// `convsPerBlock` 3×3 'same' conv + batch norm + ReLU layers, then a 2×2 max-pool.
// Each block is its own Sequential, so progressive unfreezing treats it as a stage.
import { Module, Sequential, Conv2d, BatchNorm2d, ReLU, MaxPool2d } from '../nn/index.js';
import { checkPositiveInt } from './options.js';

export function convBnBlocks(
  inChannels: number, widths: readonly number[], convsPerBlock: number, who: string,
): Sequential {
  const blocks: Module[] = [];
  let inCh = inChannels;
  widths.forEach((w, i) => {
    const outCh = checkPositiveInt(w, `${who}: widths[${i}]`);
    const layers: Module[] = [];
    for (let k = 0; k < convsPerBlock; k++) {
      // No conv bias: the batch norm that follows has its own shift.
      layers.push(new Conv2d(k === 0 ? inCh : outCh, outCh, 3, { padding: 1, bias: false }), new BatchNorm2d(outCh), new ReLU());
    }
    layers.push(new MaxPool2d(2));
    blocks.push(new Sequential(...layers));
    inCh = outCh;
  });
  return new Sequential(...blocks);
}

/** Checks that `widths` lists exactly `count` block widths (their values are checked as the blocks are built). */
export function checkBlockCount(widths: readonly number[], count: number, who: string): readonly number[] {
  if (widths.length !== count) throw new RangeError(`${who}: widths must list ${count} block widths, got ${widths.length}`);
  return widths;
}
