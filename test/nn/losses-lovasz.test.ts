// Lovász-softmax against a plain reimplementation of the reference algorithm (Berman et
// al.'s lovasz_softmax: per class, sort errors descending, dot with lovasz_grad), in
// float64; ignored pixels count for nothing; the gradient reaches the logits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, tidy } from '../../src/torch/index.js';
import { lovaszSoftmax } from '../../src/nn/index.js';

type Classes = 'present' | 'all';

function lovaszGrad(gtSorted: number[]): number[] {
  const gts = gtSorted.reduce((a, b) => a + b, 0);
  let fgSeen = 0, bgSeen = 0;
  const jaccard = gtSorted.map((g) => {
    fgSeen += g;
    bgSeen += 1 - g;
    return 1 - (gts - fgSeen) / (gts + bgSeen);
  });
  return jaccard.map((j, i) => (i === 0 ? j : j - jaccard[i - 1]!));
}

/** The reference's lovasz_softmax_flat over probabilities [P][C] and labels [P]. */
function referenceFlat(probas: number[][], labels: number[], classes: Classes): number {
  if (probas.length === 0) return 0;
  const losses: number[] = [];
  for (let c = 0; c < probas[0]!.length; c++) {
    const fg = labels.map((l) => (l === c ? 1 : 0));
    if (classes === 'present' && fg.every((v) => v === 0)) continue;
    const errors = fg.map((f, i) => Math.abs(f - probas[i]![c]!));
    const order = errors.map((_, i) => i).sort((a, b) => errors[b]! - errors[a]!);
    const grad = lovaszGrad(order.map((i) => fg[i]!));
    losses.push(order.reduce((s, i, k) => s + errors[i]! * grad[k]!, 0));
  }
  return losses.length === 0 ? 0 : losses.reduce((a, b) => a + b, 0) / losses.length;
}

/** The reference's lovasz_softmax on logits [N][C][H][W] flattened as [n, c, h, w]. */
function reference(logits: number[], target: number[], [n, c, h, w]: number[], classes: Classes, perImage: boolean, ignore = 255): number {
  const pixels = (images: number[]) => {
    const probas: number[][] = [], labels: number[] = [];
    for (const b of images) {
      for (let p = 0; p < h! * w!; p++) {
        const label = target[b * h! * w! + p]!;
        if (label === ignore) continue;
        const z = Array.from({ length: c! }, (_, k) => logits[(b * c! + k) * h! * w! + p]!);
        const m = Math.max(...z);
        const e = z.map((v) => Math.exp(v - m));
        const s = e.reduce((a, v) => a + v, 0);
        probas.push(e.map((v) => v / s));
        labels.push(label);
      }
    }
    return referenceFlat(probas, labels, classes);
  };
  const all = Array.from({ length: n! }, (_, i) => i);
  if (!perImage) return pixels(all);
  return all.reduce((s, b) => s + pixels([b]), 0) / n!;
}

// Two images, three classes, 2×3 pixels; class 2 appears only in the first image and
// pixel values repeat, so ties in the errors are exercised too.
const shape = [2, 3, 2, 3];
const logits = [
  0.3, -1.2, 2.0, 0.5, 0.5, -0.7, /* class 1 */ 1.1, 0.0, -0.4, 0.5, 2.2, 0.9, /* class 2 */ -0.5, 0.8, 0.1, 0.5, -1.0, 1.7,
  1.4, 0.2, -0.3, 0.0, 0.6, -2.0, /* class 1 */ -0.1, 1.3, 0.4, 0.0, -0.6, 0.5, /* class 2 */ 0.2, -0.9, 1.0, 0.0, 0.3, 0.1,
];
const target = [0, 1, 2, 0, 255, 2, 1, 1, 0, 0, 255, 1];
const make = () => ({
  x: tensor(Float64Array.from(logits), { shape }),
  t: tensor(BigInt64Array.from(target, BigInt), { shape: [2, 2, 3] }),
});

test('lovaszSoftmax matches the reference algorithm (present/all classes, per image or over the batch)', () => {
  tidy(() => {
    const { x, t } = make();
    for (const classes of ['present', 'all'] as const) {
      for (const perImage of [false, true]) {
        const got = lovaszSoftmax(x, t, { classes, perImage }).item();
        const want = reference(logits, target, shape, classes, perImage);
        assert.ok(Math.abs(got - want) < 1e-9, `${classes} perImage=${perImage}: ${got} vs ${want}`);
      }
    }
    // Class 2 is absent from the second image: 'all' charges it there, 'present' does not.
    assert.notEqual(reference(logits, target, shape, 'all', true), reference(logits, target, shape, 'present', true));
    // A perfect prediction costs nothing.
    const perfect = tensor(Float64Array.from([40, -40, -40, 40]), { shape: [1, 2, 1, 2] });
    assert.ok(lovaszSoftmax(perfect, tensor(BigInt64Array.from([0n, 1n]), { shape: [1, 1, 2] })).item() < 1e-12);
  });
});

test('lovaszSoftmax: ignored pixels contribute nothing; a batch with no counted pixel costs 0', () => {
  tidy(() => {
    const { x, t } = make();
    const base = lovaszSoftmax(x, t).item();
    // Change the logits under the ignored pixels (indices 4 and 10 of the masks).
    const changed = logits.slice();
    for (const [b, p] of [[0, 4], [1, 4]] as const) for (let k = 0; k < 3; k++) changed[(b * 3 + k) * 6 + p] = 10 * (k + 1);
    assert.equal(lovaszSoftmax(tensor(Float64Array.from(changed), { shape }), t).item(), base);
    // With another ignore index, those pixels count and the loss changes.
    const relabelled = tensor(BigInt64Array.from(target, (v) => BigInt(v === 255 ? 0 : v)), { shape: [2, 2, 3] });
    assert.ok(Math.abs(lovaszSoftmax(x, relabelled, { ignoreIndex: 7 }).item() - reference(logits, target.map((v) => (v === 255 ? 0 : v)), shape, 'present', false)) < 1e-9);
    const none = tensor(BigInt64Array.from({ length: 12 }, () => 255n), { shape: [2, 2, 3] });
    assert.equal(lovaszSoftmax(x, none).item(), 0);
    assert.equal(lovaszSoftmax(x, none, { perImage: true }).item(), 0);
  });
});

test('lovaszSoftmax: the gradient reaches the logits, and none under ignored pixels', () => {
  tidy(() => {
    const { x, t } = make();
    x.requiresGrad_();
    lovaszSoftmax(x, t).backward();
    const g = Array.from(x.grad!.toTypedArray() as Float64Array);
    assert.ok(g.some((v) => Math.abs(v) > 1e-6), 'some gradient');
    for (const [b, p] of [[0, 4], [1, 4]] as const) for (let k = 0; k < 3; k++) assert.equal(g[(b * 3 + k) * 6 + p], 0);
  });
});

test('lovaszSoftmax names bad shapes, dtypes, labels and options', () => {
  tidy(() => {
    const { x, t } = make();
    assert.throws(() => lovaszSoftmax(x, t.flatten()), /expected logits \[N, C, H, W\] and class indices \[N, H, W\], got \[2, 3, 2, 3\] and \[12\]/);
    assert.throws(() => lovaszSoftmax(x, t.to('float32')), /target must be int64/);
    assert.throws(() => lovaszSoftmax(x, t.add(1)), /outside \[0, 3\)/);
    assert.throws(() => lovaszSoftmax(x, t, { classes: 'some' as 'all' }), /classes must be 'present' or 'all'/);
  });
});
