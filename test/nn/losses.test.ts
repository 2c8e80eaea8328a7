// Losses against PyTorch's numbers, gradients against finite differences, and the
// errors a wrong target gives.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor, arange, ops, tidy, scopeSize, manualSeed, rand, randn, randint, gradcheck, noGrad } from '../../src/torch/index.js';
import {
  crossEntropy, nllLoss, binaryCrossEntropyWithLogits, binaryCrossEntropy, mseLoss, l1Loss, smoothL1Loss, huberLoss, klDiv, weightedMean,
  CrossEntropyLoss, NLLLoss, BCEWithLogitsLoss, BCELoss, MSELoss, L1Loss, SmoothL1Loss, HuberLoss, KLDivLoss,
} from '../../src/nn/losses.js';

// Reference values: PyTorch 1.13 (Debian python3-torch), float64, from the script at the
// end of this file (`/usr/bin/python3 ref.py`), keys `<loss>.<options>.<reduction>`.
const REF: Record<string, number | number[] | number[][] | number[][][]> = {
  'ce.mean': 0.48617798301339515,
  'ce.w.mean': 0.5222051405308142,
  'ce.ls.mean': 0.6570113163467285,
  'ce.ign.mean': 0.8869941073884936,
  'ce.soft.mean': 1.0011779830133951,
  'ce.seg.mean': 1.4215752740469862,
  'nll.mean': 0.48617798301339515,
  'bcel.mean': 0.499023338841831,
  'bcel.wpw.mean': 0.4918839518127682,
  'bce.mean': 0.499023338841831,
  'bce.w.mean': 0.5280455229207708,
  'mse.mean': 1.4970833333333333,
  'l1.mean': 0.9416666666666665,
  'sl1.mean': 0.581875,
  'sl1.b05.mean': 0.7320833333333333,
  'huber.mean': 0.581875,
  'huber.d05.mean': 0.36604166666666665,
  'huber.d2.mean': 0.7485416666666667,
  'ce.sum': 1.9447119320535806,
  'ce.w.sum': 2.349923132388664,
  'ce.ls.sum': 2.628045265386914,
  'ce.ign.sum': 2.6609823221654807,
  'ce.soft.sum': 4.0047119320535804,
  'ce.seg.sum': 9.951026918328903,
  'nll.sum': 1.9447119320535806,
  'bcel.sum': 2.9941400330509857,
  'bcel.wpw.sum': 2.9513037108766094,
  'bce.sum': 2.9941400330509857,
  'bce.w.sum': 3.1682731375246247,
  'mse.sum': 8.9825,
  'l1.sum': 5.6499999999999995,
  'sl1.sum': 3.49125,
  'sl1.b05.sum': 4.3925,
  'huber.sum': 3.49125,
  'huber.d05.sum': 2.19625,
  'huber.d2.sum': 4.49125,
  'ce.none': [0.5549569196419906, 0.33372960988809963, 0.5720760052791333, 0.4839493972443572],
  'ce.w.none': [0.5549569196419906, 0.16686480494404982, 1.1441520105582665, 0.4839493972443572],
  'ce.ls.none': [0.7216235863086573, 0.5537296098880995, 0.7120760052791333, 0.6406160639110239],
  'ce.ign.none': [0.5549569196419906, 0.0, 0.5720760052791333, 1.5339493972443572],
  'ce.soft.none': [1.0049569196419905, 0.6637296098880996, 1.2020760052791333, 1.1339493972443573],
  'ce.seg.none': [[[1.1746863218403707, 1.6067494536225833], [4.147663569613171, 0.0]], [[0.5773422926625924, 0.33811537555848015], [1.9518874033931768, 0.15458250163852694]]],
  'nll.none': [0.5549569196419906, 0.33372960988809963, 0.5720760052791333, 0.4839493972443572],
  'bcel.none': [[0.554355244468527, 0.2632824673380313, 0.1269280110429726], [0.4740769841801067, 0.9311006659477776, 0.6443966600735709]],
  'bcel.wpw.none': [[1.108710488937054, 0.1316412336690157, 0.1269280110429726], [0.4740769841801067, 0.4655503329738888, 0.6443966600735709]],
  'bce.none': [[0.554355244468527, 0.2632824673380312, 0.12692801104297263], [0.47407698418010663, 0.9311006659477776, 0.6443966600735709]],
  'bce.w.none': [[0.554355244468527, 0.1316412336690156, 0.25385602208594527], [0.47407698418010663, 0.4655503329738888, 1.2887933201471418]],
  'mse.none': [[0.25, 0.6400000000000001, 4.0], [0.09000000000000002, 4.0, 0.0024999999999999935]],
  'l1.none': [[0.5, 0.8, 2.0], [0.30000000000000004, 2.0, 0.04999999999999993]],
  'sl1.none': [[0.125, 0.32000000000000006, 1.5], [0.04500000000000001, 1.5, 0.0012499999999999968]],
  'sl1.b05.none': [[0.25, 0.55, 1.75], [0.09000000000000002, 1.75, 0.0024999999999999935]],
  'huber.none': [[0.125, 0.32000000000000006, 1.5], [0.04500000000000001, 1.5, 0.0012499999999999968]],
  'huber.d05.none': [[0.125, 0.275, 0.875], [0.04500000000000001, 0.875, 0.0012499999999999968]],
  'huber.d2.none': [[0.125, 0.32000000000000006, 2.0], [0.04500000000000001, 2.0, 0.0012499999999999968]],
  'kl.mean': 0.06515119699624145,
  'kl.log.mean': 0.04653004688684437,
  'kl.batchmean': 0.19545359098872434,
  'kl.log.batchmean': 0.1395901406605331,
  'kl.sum': 0.7818143639548973,
  'kl.log.sum': 0.5583605626421324,
  'kl.none': [[-0.1247628173352055, 0.18910380144157807, 0.13879738299228067], [0.08846884685911194, -0.056885548310594614, -0.006885548310594597], [0.26043096028595913, -0.1376858906380087, -0.009569039714040828], [0.0, 0.5454011083422059, -0.10459889165779404]],
  'kl.log.none': [[-0.11089619855842195, 0.40529523459481637, -0.06909513045897736], [-0.10625760832673466, 0.158927041668649, -0.006885548310594604], [0.17144541103981065, -0.20355458896018933, 0.23946441235959398], [-0.07686356957496884, -0.051863569574968835, 0.20864467674411802]],
  'ce.w.ls.mean': 0.7174899163089111,
  'ce.w.ls.ign.mean': 0.8372655556847317,
  'ce.w.ls.ign.none': [0.8567888169633904, 0.0, 1.138806009678411, 0.9348346182547596],
  'ce.w.ign.mean': 0.7045953225206959,
  'ce.ign1.mean': 0.4575453089248158,
  'ce.soft.w.mean': 1.3282075717438528,
  'ce.soft.ls.mean': 1.035094649680062,
  'ce.seg.w.mean': 1.5862482658704784,
  'ce.seg.w.ls.mean': 1.6184163001288252,
  'nll.w.mean': 0.5222051405308142,
  'nll.ign.mean': 0.8869941073884936,
  'nll.seg.w.mean': 1.5862482658704784,
  'nll.seg.none': [[[1.1746863218403707, 1.6067494536225833], [4.147663569613171, 0.0]], [[0.5773422926625924, 0.33811537555848015], [1.9518874033931768, 0.15458250163852694]]],
  'bcel.w.mean': 0.5280455229207709,
  'bcel.pw.mean': 0.5271388236602069,
  'sl1.b0.mean': 0.9416666666666665,
};

const F64 = { dtype: 'float64' } as const;
const I64 = { dtype: 'int64' } as const;
// The same fixed inputs as the reference script.
const L = tensor([[0.2, -1.3, 0.7], [1.5, 0.1, -0.4], [-0.6, 0.9, 0.3], [0.05, -0.2, 1.1]], F64);
const Y = tensor([2, 0, 1, 2], I64);
const Yi = tensor([2, -100, 1, 0], I64);
const W = tensor([0.5, 2.0, 1.0], F64);
const P = tensor([[0.1, 0.2, 0.7], [0.8, 0.1, 0.1], [0.3, 0.4, 0.3], [0.0, 0.5, 0.5]], F64);
const S = arange(24, undefined, 1, F64).mul(0.7).sin().mul(2).reshape(2, 3, 2, 2);
const Ys = tensor([[[0, 2], [1, -100]], [[2, 2], [0, 1]]], I64);
const X = tensor([[0.3, -1.2, 2.0], [-0.5, 0.8, 0.1]], F64);
const T = tensor([[1, 0, 1], [0, 0.3, 1]], F64);
const BW = tensor([1, 0.5, 2], F64);
const PW = tensor([2, 1, 0.5], F64);
const A = tensor([[0.5, -1.0, 2.5], [0.1, 3.0, -0.7]], F64);
const B = tensor([[0.0, -0.2, 0.5], [0.4, 1.0, -0.65]], F64);
const Q = tensor([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1], [0.25, 0.25, 0.5], [0.1, 0.1, 0.8]], F64);
const LP = L.logSoftmax(1);
const REDUCTIONS = ['mean', 'sum', 'none'] as const;

function flat(v: unknown): number[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v as number];
}

/** Compares a loss with a reference value, including the shape of 'none' results. */
function assertRef(actual: Tensor, key: string, tol = 1e-12): void {
  const expected = REF[key];
  assert.ok(expected !== undefined, `no reference value '${key}'`);
  const exp = flat(expected);
  const got = actual.toFlatArray();
  const expShape: number[] = [];
  for (let v: unknown = expected; Array.isArray(v); v = v[0]) expShape.push(v.length);
  assert.deepEqual(actual.shape, expShape, `${key}: shape`);
  got.forEach((g, i) => assert.ok(Math.abs(g - exp[i]!) <= tol * Math.max(1, Math.abs(exp[i]!)), `${key}[${i}]: got ${g}, PyTorch ${exp[i]}`));
}

describe('crossEntropy matches PyTorch', () => {
  for (const reduction of REDUCTIONS) {
    test(`reduction ${reduction}: plain, class weights, label smoothing, ignoreIndex, soft targets, dense [N,C,H,W]`, () => {
      assertRef(crossEntropy(L, Y, { reduction }), `ce.${reduction}`);
      assertRef(crossEntropy(L, Y, { reduction, weight: W }), `ce.w.${reduction}`);
      assertRef(crossEntropy(L, Y, { reduction, labelSmoothing: 0.2 }), `ce.ls.${reduction}`);
      assertRef(crossEntropy(L, Yi, { reduction }), `ce.ign.${reduction}`);
      assertRef(crossEntropy(L, P, { reduction }), `ce.soft.${reduction}`);
      assertRef(crossEntropy(S, Ys, { reduction }), `ce.seg.${reduction}`);
    });
  }

  test('option combinations', () => {
    assertRef(crossEntropy(L, Y, { weight: W, labelSmoothing: 0.2 }), 'ce.w.ls.mean');
    assertRef(crossEntropy(L, Yi, { weight: W, labelSmoothing: 0.2 }), 'ce.w.ls.ign.mean');
    assertRef(crossEntropy(L, Yi, { weight: W, labelSmoothing: 0.2, reduction: 'none' }), 'ce.w.ls.ign.none');
    assertRef(crossEntropy(L, Yi, { weight: W }), 'ce.w.ign.mean');
    assertRef(crossEntropy(L, Y, { ignoreIndex: 1 }), 'ce.ign1.mean');
    assertRef(crossEntropy(L, P, { weight: W }), 'ce.soft.w.mean');
    assertRef(crossEntropy(L, P, { labelSmoothing: 0.1 }), 'ce.soft.ls.mean');
    assertRef(crossEntropy(S, Ys, { weight: W }), 'ce.seg.w.mean');
    assertRef(crossEntropy(S, Ys, { weight: W, labelSmoothing: 0.1 }), 'ce.seg.w.ls.mean');
  });

  test('hand-computed value: uniform logits give log(C)', () => {
    const z = tensor([[0, 0, 0, 0]], F64);
    assert.ok(Math.abs(crossEntropy(z, tensor([3], I64)).item() - Math.log(4)) < 1e-12);
  });

  test('float32 logits, int32 targets and a float32 weight give the same numbers', () => {
    assertRef(crossEntropy(L.float(), Y.int(), { weight: W.float() }), 'ce.w.mean', 1e-6);
    const soft = crossEntropy(L.float(), P, { reduction: 'none' });
    assert.equal(soft.dtype, 'float32', 'a float64 target must not promote a float32 loss');
    assertRef(soft, 'ce.soft.none', 1e-6);
  });

  test('an unbatched [C] sample with a scalar target', () => {
    const perSample = REF['ce.none'] as number[];
    const l = crossEntropy(L.select(0, 1), tensor(0, I64));
    assert.deepEqual(l.shape, []);
    assert.ok(Math.abs(l.item() - perSample[1]!) < 1e-12);
  });

  test('the mean over no counted target is NaN, as in PyTorch', () => {
    assert.ok(Number.isNaN(crossEntropy(L, tensor([-100, -100, -100, -100], I64)).item()));
  });
});

describe('nllLoss matches PyTorch', () => {
  for (const reduction of REDUCTIONS) {
    test(`reduction ${reduction}`, () => assertRef(nllLoss(LP, Y, { reduction }), `nll.${reduction}`));
  }
  test('class weights, ignoreIndex, dense targets', () => {
    assertRef(nllLoss(LP, Y, { weight: W }), 'nll.w.mean');
    assertRef(nllLoss(LP, Yi), 'nll.ign.mean');
    assertRef(nllLoss(S.logSoftmax(1), Ys, { weight: W }), 'nll.seg.w.mean');
    assertRef(nllLoss(S.logSoftmax(1), Ys, { reduction: 'none' }), 'nll.seg.none');
  });
});

describe('binary cross-entropy matches PyTorch', () => {
  for (const reduction of REDUCTIONS) {
    test(`reduction ${reduction}`, () => {
      assertRef(binaryCrossEntropyWithLogits(X, T, { reduction }), `bcel.${reduction}`);
      assertRef(binaryCrossEntropyWithLogits(X, T, { reduction, weight: BW, posWeight: PW }), `bcel.wpw.${reduction}`);
      assertRef(binaryCrossEntropy(X.sigmoid(), T, { reduction }), `bce.${reduction}`);
      assertRef(binaryCrossEntropy(X.sigmoid(), T, { reduction, weight: BW }), `bce.w.${reduction}`);
    });
  }
  test('weight and posWeight alone', () => {
    assertRef(binaryCrossEntropyWithLogits(X, T, { weight: BW }), 'bcel.w.mean');
    assertRef(binaryCrossEntropyWithLogits(X, T, { posWeight: PW }), 'bcel.pw.mean');
  });
  test('hand-computed value: logit 0 against target 1 is log 2', () => {
    const l = binaryCrossEntropyWithLogits(tensor([0], F64), tensor([1], F64));
    assert.ok(Math.abs(l.item() - Math.LN2) < 1e-12);
  });
});

describe('regression losses match PyTorch', () => {
  for (const reduction of REDUCTIONS) {
    test(`reduction ${reduction}`, () => {
      assertRef(mseLoss(A, B, { reduction }), `mse.${reduction}`);
      assertRef(l1Loss(A, B, { reduction }), `l1.${reduction}`);
      assertRef(smoothL1Loss(A, B, { reduction }), `sl1.${reduction}`);
      assertRef(smoothL1Loss(A, B, { reduction, beta: 0.5 }), `sl1.b05.${reduction}`);
      assertRef(huberLoss(A, B, { reduction }), `huber.${reduction}`);
      assertRef(huberLoss(A, B, { reduction, delta: 0.5 }), `huber.d05.${reduction}`);
      assertRef(huberLoss(A, B, { reduction, delta: 2 }), `huber.d2.${reduction}`);
    });
  }
  test('a float64 target for float32 input is cast, so the loss is float32 and backward works', () => {
    const input = A.float().requiresGrad_();
    for (const loss of [mseLoss, l1Loss, smoothL1Loss, huberLoss]) {
      const l = loss(input, B);
      assert.equal(l.dtype, 'float32');
      l.backward();
    }
    const probs = X.sigmoid().float().requiresGrad_();
    binaryCrossEntropy(probs, T).backward();
    assert.equal(probs.grad!.dtype, 'float32');
    // mse's gradient 2 (a - b) / 6 summed with the others: check just mse's part on a fresh leaf.
    const fresh = A.float().requiresGrad_();
    mseLoss(fresh, B).backward();
    const expected = A.sub(B).mul(2 / 6).toFlatArray();
    fresh.grad!.toFlatArray().forEach((g, i) => assert.ok(Math.abs(g - expected[i]!) < 1e-6));
  });
  test('smoothL1 with beta 0 is the L1 loss', () => {
    assertRef(smoothL1Loss(A, B, { beta: 0 }), 'sl1.b0.mean');
    assertRef(smoothL1Loss(A, B, { beta: 0 }), 'l1.mean');
  });
  test('hand-computed values: differences 0.5, -0.8, 2, -0.3, 2, -0.05', () => {
    // mse = (0.25 + 0.64 + 4 + 0.09 + 4 + 0.0025) / 6
    assert.ok(Math.abs(mseLoss(A, B).item() - 8.9825 / 6) < 1e-12);
    // huber with delta 0.5: 0.5*(0.5-0.25), 0.5*(0.8-0.25), 0.5*(2-0.25) x2, 0.5*0.09, 0.5*0.0025
    const h = [0.125, 0.275, 0.875, 0.045, 0.875, 0.00125];
    assert.ok(Math.abs(huberLoss(A, B, { delta: 0.5, reduction: 'sum' }).item() - h.reduce((s, v) => s + v)) < 1e-12);
  });
});

describe('klDiv matches PyTorch', () => {
  for (const reduction of ['mean', 'batchmean', 'sum', 'none'] as const) {
    test(`reduction ${reduction}`, () => {
      assertRef(klDiv(LP, P, { reduction }), `kl.${reduction}`);
      assertRef(klDiv(LP, Q.log(), { reduction, logTarget: true }), `kl.log.${reduction}`);
    });
  }
  test('the divergence of a distribution from itself is 0', () => {
    assert.ok(Math.abs(klDiv(Q.log(), Q, { reduction: 'batchmean' }).item()) < 1e-15);
  });
});

describe('weightedMean', () => {
  test('sum(w * l) / sum(w), hand-computed', () => {
    // (1*1 + 0*2 + 2*3 + 0.5*4) / (1 + 0 + 2 + 0.5) = 9 / 3.5
    const l = weightedMean(tensor([1, 2, 3, 4], F64), tensor([1, 0, 2, 0.5], F64));
    assert.ok(Math.abs(l.item() - 9 / 3.5) < 1e-12);
  });
  test('per-sample weights [N] over per-pixel losses [N, H, W] weigh every pixel of a sample', () => {
    // (1*(1+2) + 3*(3+4)) / (1*2 + 3*2) = 24 / 8
    const l = weightedMean(tensor([[[1, 2]], [[3, 4]]], F64), tensor([1, 3], F64));
    assert.equal(l.item(), 3);
  });
  test('all-zero weights give 0 and a zero gradient, not NaN', () => {
    const loss = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    const l = weightedMean(loss, tensor([0, 0, 0], F64));
    assert.equal(l.item(), 0);
    l.backward();
    assert.deepEqual(loss.grad!.toFlatArray(), [0, 0, 0]);
  });
  test("uniform weights over crossEntropy 'none' equal the 'mean' reduction", () => {
    const perSample = crossEntropy(L, Y, { reduction: 'none' });
    assertRef(weightedMean(perSample, tensor([2, 2, 2, 2])), 'ce.mean');
  });
});

describe('loss modules', () => {
  test('each module computes its functional form with the same options', () => {
    const cases: [Tensor, Tensor][] = [
      [new CrossEntropyLoss({ weight: W, labelSmoothing: 0.2, ignoreIndex: -100 }).call(L, Yi), tensor(REF['ce.w.ls.ign.mean'] as number, F64)],
      [new CrossEntropyLoss({ reduction: 'none' }).forward(S, Ys), tensor(REF['ce.seg.none'] as number[][][], F64)],
      [new NLLLoss({ weight: W }).call(LP, Y), tensor(REF['nll.w.mean'] as number, F64)],
      [new BCEWithLogitsLoss({ weight: BW, posWeight: PW, reduction: 'sum' }).call(X, T), tensor(REF['bcel.wpw.sum'] as number, F64)],
      [new BCELoss({ weight: BW }).call(X.sigmoid(), T), tensor(REF['bce.w.mean'] as number, F64)],
      [new MSELoss({ reduction: 'sum' }).call(A, B), tensor(REF['mse.sum'] as number, F64)],
      [new L1Loss().call(A, B), tensor(REF['l1.mean'] as number, F64)],
      [new SmoothL1Loss({ beta: 0.5 }).call(A, B), tensor(REF['sl1.b05.mean'] as number, F64)],
      [new HuberLoss({ delta: 2 }).call(A, B), tensor(REF['huber.d2.mean'] as number, F64)],
      [new KLDivLoss({ reduction: 'batchmean', logTarget: true }).call(LP, Q.log()), tensor(REF['kl.log.batchmean'] as number, F64)],
    ];
    for (const [got, want] of cases) {
      assert.deepEqual(got.shape, want.shape);
      assert.ok(got.allClose(want, 1e-12, 1e-12), `${got.toArray()} vs ${want.toArray()}`);
    }
  });
  test('weights are buffers with PyTorch names and follow Module.to', () => {
    const ce = new CrossEntropyLoss({ weight: W });
    assert.deepEqual([...ce.stateDict().keys()], ['weight']);
    assert.deepEqual([...new CrossEntropyLoss().stateDict().keys()], []);
    assert.deepEqual([...new BCEWithLogitsLoss({ weight: BW, posWeight: PW }).stateDict().keys()], ['weight', 'pos_weight']);
    ce.to('float32');
    assert.equal(ce.weight!.dtype, 'float32');
    assertRef(ce.call(L.float(), Y), 'ce.w.mean', 1e-6);
  });
  test('invalid options fail at construction, naming the loss', () => {
    assert.throws(() => new CrossEntropyLoss({ labelSmoothing: 1.5 }), /CrossEntropyLoss: labelSmoothing must be in \[0, 1\], got 1.5/);
    assert.throws(() => new MSELoss({ reduction: 'avg' as 'mean' }), /MSELoss: unknown reduction 'avg'/);
    assert.throws(() => new MSELoss({ reduction: 'batchmean' as 'mean' }), /MSELoss: unknown reduction 'batchmean'/);
    assert.throws(() => new HuberLoss({ delta: 0 }), /HuberLoss: delta must be a finite number > 0, got 0/);
    assert.throws(() => new SmoothL1Loss({ beta: -1 }), /SmoothL1Loss: beta must be a finite number >= 0/);
    assert.throws(() => new NLLLoss({ ignoreIndex: 0.5 }), /NLLLoss: ignoreIndex must be an integer/);
  });
  test('extraRepr describes the options', () => {
    assert.equal(new CrossEntropyLoss({ labelSmoothing: 0.1, weight: W }).toString(), 'CrossEntropyLoss(reduction=mean, ignoreIndex=-100, labelSmoothing=0.1, weight)');
  });
});

describe('gradients match finite differences (float64)', () => {
  const leaf = (t: Tensor): Tensor => t.detach().requiresGrad_();
  const opts = { atol: 1e-6, rtol: 1e-4 };

  test('crossEntropy with respect to logits, and to soft targets', () => {
    manualSeed(1);
    const logits = leaf(randn([5, 4], F64));
    const target = tensor([0, 3, -100, 1, 2], I64);
    const weight = tensor([0.3, 1, 2, 0.7], F64);
    for (const reduction of REDUCTIONS) {
      gradcheck((x) => crossEntropy(x, target, { weight, labelSmoothing: 0.15, reduction }), [logits], opts);
    }
    const soft = leaf(rand([5, 4], F64).softmax(1));
    gradcheck((x, p) => crossEntropy(x, p, { weight, labelSmoothing: 0.1 }), [logits, soft], opts);
    const dense = leaf(randn([2, 4, 3, 2], F64));
    const denseTarget = randint(0, 4, [2, 3, 2]);
    gradcheck((x) => crossEntropy(x, denseTarget, { weight }), [dense], opts);
  });

  test('nllLoss with respect to log-probabilities', () => {
    manualSeed(2);
    const lp = leaf(randn([5, 4], F64).logSoftmax(1));
    gradcheck((x) => nllLoss(x, tensor([0, 3, -100, 1, 2], I64), { weight: tensor([0.3, 1, 2, 0.7], F64) }), [lp], opts);
  });

  test('binary cross-entropy with respect to input and target', () => {
    manualSeed(3);
    const logits = leaf(randn([3, 4], F64));
    const target = leaf(rand([3, 4], F64));
    const w = tensor([1, 0.5, 2, 1.5], F64);
    const pw = tensor([2, 1, 0.5, 3], F64);
    gradcheck((x, t) => binaryCrossEntropyWithLogits(x, t, { weight: w, posWeight: pw }), [logits, target], opts);
    const probs = leaf(rand([3, 4], F64).mul(0.8).add(0.1));
    gradcheck((p, t) => binaryCrossEntropy(p, t, { weight: w, reduction: 'sum' }), [probs, target], opts);
  });

  test('regression losses with respect to input and target', () => {
    manualSeed(4);
    const a = leaf(randn([3, 4], F64));
    const b = leaf(randn([3, 4], F64));
    gradcheck((x, y) => mseLoss(x, y), [a, b], opts);
    gradcheck((x, y) => l1Loss(x, y, { reduction: 'sum' }), [a, b], opts);
    gradcheck((x, y) => smoothL1Loss(x, y, { beta: 0.5, reduction: 'none' }), [a, b], opts);
    gradcheck((x, y) => huberLoss(x, y, { delta: 0.7 }), [a, b], opts);
  });

  test('klDiv with respect to input and target, both target forms', () => {
    manualSeed(5);
    const lp = leaf(randn([3, 4], F64).logSoftmax(1));
    const p = leaf(rand([3, 4], F64).softmax(1));
    gradcheck((x, t) => klDiv(x, t, { reduction: 'batchmean' }), [lp, p], opts);
    const logQ = leaf(randn([3, 4], F64).logSoftmax(1));
    gradcheck((x, t) => klDiv(x, t, { logTarget: true, reduction: 'none' }), [lp, logQ], opts);
  });

  test('weightedMean with respect to losses and weights', () => {
    manualSeed(6);
    gradcheck((l, w) => weightedMean(l, w), [leaf(rand([4, 3], F64)), leaf(rand([4], F64).add(0.1))], opts);
  });
});

describe('invalid input gives errors naming the loss and the shapes', () => {
  test('crossEntropy targets', () => {
    assert.throws(() => crossEntropy(L, tensor([0, 1, 2, 0], F64)), /crossEntropy: floating target \[4\] is read as class probabilities and must match logits \[4, 3\]; for class indices pass an int64 target of shape \[4\]/);
    assert.throws(() => crossEntropy(L, tensor([0, 1, 2], I64)), /crossEntropy: target shape \[3\] does not fit logits \[4, 3\]; class indices need shape \[4\]/);
    assert.throws(() => crossEntropy(L, tensor([0, 1, 3, 0], I64)), /crossEntropy: target class 3 is out of range \[0, 3\) for logits \[4, 3\] and target \[4\]/);
    assert.throws(() => crossEntropy(L, tensor([0, -1, 2, 0], I64)), /target class -1 is out of range/);
    assert.throws(() => crossEntropy(S, tensor([[[0, 1, 2]], [[0, 1, 2]]], I64)), /target shape \[2, 1, 3\] does not fit logits \[2, 3, 2, 2\]; class indices need shape \[2, 2, 2\]/);
    assert.throws(() => crossEntropy(L, tensor([true, false, true, true])), /class-index target must be an integer tensor of shape \[4\], got bool \[4\]/);
    assert.throws(() => crossEntropy(L.long(), Y), /crossEntropy: logits must be a floating tensor, got int64 \[4, 3\]/);
    assert.throws(() => crossEntropy(L, Y, { weight: tensor([1, 2], F64) }), /crossEntropy: class weight must have shape \[3\] \(one per class of \[4, 3\]\), got \[2\]/);
    assert.throws(() => crossEntropy(L, Y, { reduction: 'avg' as 'mean' }), /crossEntropy: unknown reduction 'avg'; expected 'mean', 'sum', 'none'/);
    // The range check skips whatever index is ignored.
    assertRef(crossEntropy(L, tensor([2, -1, 1, 0], I64), { ignoreIndex: -1 }), 'ce.ign.mean');
  });
  test('nllLoss targets', () => {
    assert.throws(() => nllLoss(LP, tensor([0, 1, 7, 0], I64)), /nllLoss: target class 7 is out of range \[0, 3\) for logProbs \[4, 3\] and target \[4\]/);
  });
  test('elementwise losses', () => {
    assert.throws(() => binaryCrossEntropyWithLogits(X, tensor([[1], [0]], F64)), /binaryCrossEntropyWithLogits: target shape \[2, 1\] does not match logits shape \[2, 3\]/);
    assert.throws(() => binaryCrossEntropyWithLogits(X, T.long()), /binaryCrossEntropyWithLogits: target must be a floating tensor like logits \(float64\), got int64 \[2, 3\]/);
    assert.throws(() => binaryCrossEntropyWithLogits(X, T, { posWeight: tensor([1, 2], F64) }), /posWeight shape \[2\] does not broadcast to input shape \[2, 3\]/);
    assert.throws(() => binaryCrossEntropy(X.sigmoid(), T, { weight: tensor([[1, 2, 3]], F64).T }), /binaryCrossEntropy: weight shape \[3, 1\] does not broadcast to input shape \[2, 3\]/);
    assert.throws(() => mseLoss(A, B.reshape(6)), /mseLoss: target shape \[6\] does not match input shape \[2, 3\]/);
    assert.throws(() => l1Loss(A, B.reshape(3, 2)), /l1Loss: target shape \[3, 2\] does not match input shape \[2, 3\]/);
    assert.throws(() => klDiv(LP, P.select(0, 0)), /klDiv: target shape \[3\] does not match input shape \[4, 3\]/);
    assert.throws(() => klDiv(LP, P, { reduction: 'avg' as 'mean' }), /klDiv: unknown reduction 'avg'; expected 'mean', 'batchmean', 'sum', 'none'/);
    assert.throws(() => weightedMean(tensor([1, 2, 3], F64), tensor([1, 2], F64)), /weightedMean: sampleWeights \[2\] must match the leading dimensions of perSampleLoss \[3\]/);
  });
});

test('losses free their intermediate tensors: each call leaves only its result in the caller scope', () => {
  tidy(() => {
    // Inputs that need converting (int32 target, float32 weight) and broadcasting.
    const target32 = Yi.int(), weight32 = W.float(), probs = X.sigmoid(), perPixel = tensor([[1, 2], [3, 4]], F64), sampleW = tensor([1, 3], F64);
    const calls: [string, () => Tensor][] = [
      ['crossEntropy', () => crossEntropy(L, target32, { weight: weight32, labelSmoothing: 0.1 })],
      ['crossEntropy soft', () => crossEntropy(L.float(), P)],
      ['nllLoss', () => nllLoss(LP, target32)],
      ['binaryCrossEntropy', () => binaryCrossEntropy(probs, T.float(), { weight: BW })],
      ['klDiv batchmean', () => klDiv(LP, P, { reduction: 'batchmean' })],
      ['weightedMean', () => weightedMean(perPixel, sampleW)],
    ];
    for (const [name, call] of calls) {
      const before = scopeSize();
      call();
      // soft and binaryCrossEntropy create one argument tensor (L.float(), T.float()) before the call.
      const expected = name === 'crossEntropy soft' || name === 'binaryCrossEntropy' ? 2 : 1;
      assert.equal(scopeSize() - before, expected, name);
    }
  });
});

test('gradient descent on crossEntropy learns a separable 3-class problem', () => {
  manualSeed(7);
  tidy(() => {
    const centers = tensor([[2, 0], [-2, 1], [0, -2]]);
    const labels = randint(0, 3, [300]);
    const inputs = ops.index_select(centers, 0, labels).add(randn([300, 2]).mul(0.5));
    const w = randn([2, 3]).mul(0.01).requiresGrad_();
    const b = tensor([0, 0, 0], { requiresGrad: true });
    const lossAt = (): number => noGrad(() => crossEntropy(inputs.matmul(w).add(b), labels).item());
    const initial = lossAt();
    for (let step = 0; step < 60; step++) {
      tidy(() => {
        crossEntropy(inputs.matmul(w).add(b), labels, { labelSmoothing: 0.05 }).backward();
        noGrad(() => { w.sub_(w.grad!, 0.5); b.sub_(b.grad!, 0.5); });
        w.zeroGrad(); b.zeroGrad();
      });
    }
    const accuracy = noGrad(() => inputs.matmul(w).add(b).argmax(1).eq(labels).float().mean().item());
    assert.ok(lossAt() < initial / 4, `loss ${initial} -> ${lossAt()}`);
    assert.ok(accuracy > 0.95, `accuracy ${accuracy}`);
  });
});

// The reference script (ref.py):
//   import json, torch, torch.nn.functional as F
//   torch.set_default_dtype(torch.float64)
//   L = torch.tensor([[0.2,-1.3,0.7],[1.5,0.1,-0.4],[-0.6,0.9,0.3],[0.05,-0.2,1.1]])
//   Y = torch.tensor([2,0,1,2]); Yi = torch.tensor([2,-100,1,0]); W = torch.tensor([0.5,2.0,1.0])
//   P = torch.tensor([[0.1,0.2,0.7],[0.8,0.1,0.1],[0.3,0.4,0.3],[0.0,0.5,0.5]])
//   S = (torch.arange(24.) * 0.7).sin().mul(2).reshape(2,3,2,2)
//   Ys = torch.tensor([[[0,2],[1,-100]],[[2,2],[0,1]]])
//   X = torch.tensor([[0.3,-1.2,2.0],[-0.5,0.8,0.1]]); T = torch.tensor([[1,0,1],[0,0.3,1]])
//   BW = torch.tensor([1,0.5,2]); PW = torch.tensor([2,1,0.5])
//   A = torch.tensor([[0.5,-1.0,2.5],[0.1,3.0,-0.7]]); B = torch.tensor([[0.0,-0.2,0.5],[0.4,1.0,-0.65]])
//   Q = torch.tensor([[0.2,0.3,0.5],[0.6,0.3,0.1],[0.25,0.25,0.5],[0.1,0.1,0.8]])
//   lp = F.log_softmax(L, 1)
//   ce = F.cross_entropy; r = {}
//   def put(k, v): r[k] = v.tolist()
//   for red in ['mean','sum','none']:
//       put(f'ce.{red}', ce(L, Y, reduction=red))
//       put(f'ce.w.{red}', ce(L, Y, weight=W, reduction=red))
//       put(f'ce.ls.{red}', ce(L, Y, label_smoothing=0.2, reduction=red))
//       put(f'ce.ign.{red}', ce(L, Yi, reduction=red))
//       put(f'ce.soft.{red}', ce(L, P, reduction=red))
//       put(f'ce.seg.{red}', ce(S, Ys, reduction=red))
//       put(f'nll.{red}', F.nll_loss(lp, Y, reduction=red))
//       put(f'bcel.{red}', F.binary_cross_entropy_with_logits(X, T, reduction=red))
//       put(f'bcel.wpw.{red}', F.binary_cross_entropy_with_logits(X, T, weight=BW, pos_weight=PW, reduction=red))
//       put(f'bce.{red}', F.binary_cross_entropy(X.sigmoid(), T, reduction=red))
//       put(f'bce.w.{red}', F.binary_cross_entropy(X.sigmoid(), T, weight=BW, reduction=red))
//       put(f'mse.{red}', F.mse_loss(A, B, reduction=red))
//       put(f'l1.{red}', F.l1_loss(A, B, reduction=red))
//       put(f'sl1.{red}', F.smooth_l1_loss(A, B, reduction=red))
//       put(f'sl1.b05.{red}', F.smooth_l1_loss(A, B, reduction=red, beta=0.5))
//       put(f'huber.{red}', F.huber_loss(A, B, reduction=red))
//       put(f'huber.d05.{red}', F.huber_loss(A, B, reduction=red, delta=0.5))
//       put(f'huber.d2.{red}', F.huber_loss(A, B, reduction=red, delta=2.0))
//   for red in ['mean','batchmean','sum','none']:
//       put(f'kl.{red}', F.kl_div(lp, P, reduction=red))
//       put(f'kl.log.{red}', F.kl_div(lp, Q.log(), reduction=red, log_target=True))
//   put('ce.w.ls.mean', ce(L, Y, weight=W, label_smoothing=0.2))
//   put('ce.w.ls.ign.mean', ce(L, Yi, weight=W, label_smoothing=0.2))
//   put('ce.w.ls.ign.none', ce(L, Yi, weight=W, label_smoothing=0.2, reduction='none'))
//   put('ce.w.ign.mean', ce(L, Yi, weight=W))
//   put('ce.ign1.mean', ce(L, Y, ignore_index=1))
//   put('ce.soft.w.mean', ce(L, P, weight=W))
//   put('ce.soft.ls.mean', ce(L, P, label_smoothing=0.1))
//   put('ce.seg.w.mean', ce(S, Ys, weight=W))
//   put('ce.seg.w.ls.mean', ce(S, Ys, weight=W, label_smoothing=0.1))
//   put('nll.w.mean', F.nll_loss(lp, Y, weight=W))
//   put('nll.ign.mean', F.nll_loss(lp, Yi))
//   put('nll.seg.w.mean', F.nll_loss(F.log_softmax(S, 1), Ys, weight=W))
//   put('nll.seg.none', F.nll_loss(F.log_softmax(S, 1), Ys, reduction='none'))
//   put('bcel.w.mean', F.binary_cross_entropy_with_logits(X, T, weight=BW))
//   put('bcel.pw.mean', F.binary_cross_entropy_with_logits(X, T, pos_weight=PW))
//   put('sl1.b0.mean', F.smooth_l1_loss(A, B, beta=0.0))
//   print(json.dumps(r, separators=(',', ':')))
