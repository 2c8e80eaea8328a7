// A grid of test images captioned with their predicted class: green when right, red
// (with the true class after "≠") when wrong, so mistakes stand out at a glance.
import { Tensor } from '../../torch/index.js';
import { writeImageGrid } from '../../data/image-grid.js';

const RIGHT = '#1a7f37';
const WRONG = '#cf222e';

export interface PredictionGridOptions { cols?: number; /** Default 64: the first maxImages images are drawn. */ maxImages?: number }

/**
 * Writes the grid as a PNG at `file`. `images` is N×C×H×W, uint8 or float in [0, 1]
 * (undo any mean/std normalisation first); yTrue and yPred hold N class indices.
 */
export async function predictionGridPng(
  file: string, images: Tensor, trueLabels: Tensor | ArrayLike<number>, predictedLabels: Tensor | ArrayLike<number>,
  classNames: readonly string[], opts: PredictionGridOptions = {},
): Promise<void> {
  const yTrue = trueLabels instanceof Tensor ? trueLabels.toFlatArray() : trueLabels;
  const yPred = predictedLabels instanceof Tensor ? predictedLabels.toFlatArray() : predictedLabels;
  const n = images.shape[0] ?? 0;
  if (images.ndim !== 4) throw new RangeError(`predictionGridPng: images must be N×C×H×W, got shape [${images.shape.join(', ')}]`);
  if (yTrue.length !== n || yPred.length !== n) throw new RangeError(`predictionGridPng: ${n} images but ${yTrue.length} true and ${yPred.length} predicted labels`);
  const count = Math.min(n, opts.maxImages ?? 64);
  if (count === 0) throw new RangeError('predictionGridPng: no images');
  const name = (c: number, what: string, i: number) => {
    const s = classNames[c];
    if (s === undefined) throw new RangeError(`predictionGridPng: ${what}[${i}] is class ${c}, but there are ${classNames.length} class names`);
    return s;
  };
  const captions: string[] = [];
  const colours: string[] = [];
  for (let i = 0; i < count; i++) {
    const right = yTrue[i] === yPred[i];
    const predicted = name(yPred[i]!, 'yPred', i);
    captions.push(right ? predicted : `${predicted}≠${name(yTrue[i]!, 'yTrue', i)}`);
    colours.push(right ? RIGHT : WRONG);
  }
  const shown = count < n ? images.narrow(0, 0, count) : images;
  try {
    // Cells at least 96 pixels wide leave room for two short class names.
    const scale = Math.max(1, Math.ceil(96 / Math.max(images.shape[2]!, images.shape[3]!)));
    await writeImageGrid(file, shown, { cols: opts.cols, captions, captionColors: colours, borderColors: colours, scale });
  } finally {
    if (shown !== images) shown.dispose();
  }
}
