// How a loss collapses its per-element values. ATen's loss operators take the choice as
// an integer enum (at::Reduction: 0 none, 1 mean, 2 sum); callers use names.
export type Reduction = 'mean' | 'sum' | 'none';

const CODES: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };

/** The reduction name, 'mean' by default; throws naming the loss on anything unknown. */
export function checkReduction<R extends string>(loss: string, reduction: R | undefined, allowed: readonly R[]): R {
  const r = reduction ?? ('mean' as R);
  if (!allowed.includes(r)) {
    throw new TypeError(`${loss}: unknown reduction '${String(r)}'; expected ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return r;
}

export const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

/** The at::Reduction code for a reduction name. */
export function reductionCode(loss: string, reduction: Reduction | undefined): number {
  return CODES[checkReduction(loss, reduction, REDUCTIONS)];
}
