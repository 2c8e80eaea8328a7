// The picture of an attack: a row of clean images, a row of their adversarial versions
// and a row of the perturbations amplified to the full grey range (mid-grey is no
// change), each captioned with the predicted label and its confidence, in green when
// right and red when wrong.
import { type Tensor, tidy, cat, noGrad } from '../../torch/index.js';
import { writeImageGrid } from '../../data/index.js';
import type { Victim } from './victim.js';

const RIGHT = '#1a7f37';
const WRONG = '#cf222e';

/** δ shown as 0.5 + δ / (2 max|δ|) per image, so the largest change reaches black or white. */
export function amplifiedPerturbation(adv: Tensor, x: Tensor): Tensor {
  return tidy(() => {
    const delta = adv.sub(x);
    const scale = delta.abs().flatten(1).max(1).values.clamp(1e-12, null).reshape([-1, 1, 1, 1]);
    return delta.div(scale.mul(2)).add(0.5);
  });
}

/** Writes the three-row grid of `x` (clean, [0, 1]) and `adv` as a PNG at `file`. */
export async function writeAdversarialGrid(
  file: string, victim: Victim, x: Tensor, adv: Tensor, labels: Tensor, classNames: readonly string[],
): Promise<void> {
  const { images, captions, colours } = tidy(() => noGrad(() => {
    const describe = (batch: Tensor) => {
      const p = victim.logits(batch).softmax(1);
      const { values, indices } = p.max(1);
      const conf = values.toFlatArray();
      const y = labels.toFlatArray();
      return indices.toFlatArray().map((c, i) => ({ text: `${classNames[c] ?? c} ${(100 * conf[i]!).toFixed(0)}%`, right: c === y[i] }));
    };
    const clean = describe(x);
    const attacked = describe(adv);
    const n = x.shape[0]!;
    return {
      images: cat([x, adv, amplifiedPerturbation(adv, x)], 0),
      captions: [...clean.map((d) => d.text), ...attacked.map((d) => d.text), ...new Array<string>(n).fill('perturbation')],
      colours: [...clean, ...attacked].map((d): string => (d.right ? RIGHT : WRONG)).concat(new Array<string>(n).fill('#555')),
    };
  }));
  try {
    const scale = Math.max(1, Math.ceil(96 / Math.max(x.shape[2]!, x.shape[3]!)));
    await writeImageGrid(file, images, { cols: x.shape[0]!, captions, captionColors: colours, scale });
  } finally {
    images.dispose();
  }
}
