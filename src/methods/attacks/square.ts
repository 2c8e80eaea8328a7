// Square attack, L-infinity (Andriushchenko et al. 2020): a black-box random search that
// only queries the model's logits. It starts from vertical stripes of ±ε and then, per
// image, proposes a new random ±ε value per channel inside a random square window,
// keeping the proposal when the margin loss drops. The window's area is a share p of the
// image that halves on a fixed schedule. Images already fooled stop changing.
import { type Tensor, type Generator, tidy, rand, randint, arange, noGrad, where } from '../../torch/index.js';
import { type AttackOptions, type AttackTarget, victimOf, checkAttackInputs, positiveInteger } from './attack-options.js';
import { margin, perSample } from './perturbation.js';

export interface SquareOptions extends AttackOptions {
  /** Queries per image (iterations). Default 1000. */
  queries?: number;
  /** Initial share of the image a square covers. Default 0.05. */
  pInit?: number;
}

/** The square's share of the image at iteration i, rescaled to a budget of n iterations (the paper's schedule for 10,000). */
function squareShare(pInit: number, i: number, n: number): number {
  const at = Math.floor((i / n) * 10000);
  const cuts = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000].filter((c) => at > c).length;
  return pInit / 2 ** cuts;
}

function randomSigns(shape: number[], like: Tensor, generator?: Generator): Tensor {
  return rand(shape, { dtype: like.dtype, device: like.device, ...(generator ? { generator } : {}) }).lt(0.5).to(like.dtype).mul(2).sub(1);
}

export function squareAttack(target: AttackTarget, images: Tensor, labels: Tensor, opts: SquareOptions): Tensor {
  checkAttackInputs('squareAttack', images, labels, opts.eps);
  const queries = positiveInteger('squareAttack', 'queries', opts.queries ?? 1000);
  const pInit = opts.pInit ?? 0.05;
  if (!(pInit > 0 && pInit <= 1)) throw new RangeError(`squareAttack: pInit must be in (0, 1], got ${pInit}`);
  const { eps, generator } = opts;
  const targeted = opts.targeted ?? false;
  const victim = victimOf(target, opts.normalization);
  const x = images.detach();
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const g = generator ? { generator } : {};
  return noGrad(() => {
    let state = tidy(() => {
      const adv = x.add(randomSigns([n, c, 1, w], x, generator).mul(eps)).clamp(0, 1);
      return { adv, loss: margin(victim.logits(adv), labels, targeted) };
    });
    for (let i = 0; i < queries; i++) {
      const side = Math.max(1, Math.min(h - 1, Math.round(Math.sqrt(squareShare(pInit, i, queries) * h * w))));
      const next = tidy(() => {
        const active = state.loss.gt(0);
        if (!active.any().item()) return null;
        // One random window per image: rows [top, top + side), columns [left, left + side).
        const top = randint(0, h - side + 1, [n, 1, 1, 1], { device: x.device, ...g });
        const left = randint(0, w - side + 1, [n, 1, 1, 1], { device: x.device, ...g });
        const rows = arange(0, h, 1, { device: x.device }).reshape([1, 1, h, 1]);
        const cols = arange(0, w, 1, { device: x.device }).reshape([1, 1, 1, w]);
        const inside = rows.ge(top).logicalAnd(rows.lt(top.add(side))).logicalAnd(cols.ge(left)).logicalAnd(cols.lt(left.add(side)));
        const values = x.add(randomSigns([n, c, 1, 1], x, generator).mul(eps)).clamp(0, 1);
        const proposal = where(inside.expandAs(x), values, state.adv);
        const loss = margin(victim.logits(proposal), labels, targeted);
        const accept = loss.lt(state.loss).logicalAnd(active);
        return { adv: where(perSample(accept, x).expandAs(x), proposal, state.adv), loss: where(accept, loss, state.loss) };
      });
      if (next === null) break;
      state.adv.dispose();
      state.loss.dispose();
      state = next;
    }
    state.loss.dispose();
    return state.adv;
  });
}
