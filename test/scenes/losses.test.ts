// Dense losses against hand-computed values and against the losses they generalise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, tidy, randn, randint, rand, manualSeed } from '../../src/torch/index.js';
import {
  softDiceLoss, softDiceLossMultilabel, focalLoss, asymmetricLoss, combineLosses, crossEntropy, binaryCrossEntropyWithLogits,
} from '../../src/nn/index.js';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
const softmax2 = (a: number, b: number) => [Math.exp(a) / (Math.exp(a) + Math.exp(b)), Math.exp(b) / (Math.exp(a) + Math.exp(b))] as const;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

test('soft Dice by hand: two classes, three pixels, one ignored; class weights', () => {
  tidy(() => {
    // Pixels: logits (1, 0) target 0; (0, 2) target 1; (3, 0) ignored.
    const logits = tensor(Float32Array.from([1, 0, 3, 0, 2, 0]), { shape: [1, 2, 1, 3] });
    const target = tensor(BigInt64Array.from([0n, 1n, 255n]), { shape: [1, 1, 3] });
    const [p00, p01] = softmax2(1, 0), [p10, p11] = softmax2(0, 2);
    const dice0 = (2 * p00 + 1) / (p00 + p10 + 1 + 1);
    const dice1 = (2 * p11 + 1) / (p01 + p11 + 1 + 1);
    close(softDiceLoss(logits, target).item(), 1 - (dice0 + dice1) / 2);
    close(softDiceLoss(logits, target, { classWeights: [1, 3] }).item(), 1 - (dice0 + 3 * dice1) / 4);
    close(softDiceLoss(logits, target, { smooth: 0 }).item(), 1 - ((2 * p00) / (p00 + p10 + 1) + (2 * p11) / (p01 + p11 + 1)) / 2);
    assert.throws(() => softDiceLoss(logits, target, { classWeights: [1] }), /1 class weights for 2 classes/);
    // Multilabel: labels independent, sigmoid probabilities.
    const ml = tensor([[0.5, -1], [2, 0]]);
    const y = tensor([[1, 0], [1, 1]]);
    // d[label][sample]: label 0 is positive in both samples, label 1 in the second only.
    const d = [[sigmoid(0.5), sigmoid(2)], [sigmoid(-1), sigmoid(0)]];
    const dl0 = (2 * (d[0]![0]! + d[0]![1]!) + 1) / (d[0]![0]! + d[0]![1]! + 2 + 1);
    const dl1 = (2 * d[1]![1]! + 1) / (d[1]![0]! + d[1]![1]! + 1 + 1);
    close(softDiceLossMultilabel(ml, y).item(), 1 - (dl0 + dl1) / 2);
  });
});

test('focal loss: gamma 0 is cross-entropy with the ignore index; gamma 2 by hand', () => {
  manualSeed(0);
  tidy(() => {
    const logits = randn([3, 4, 2, 2]);
    const target = randint(0, 4, [3, 2, 2]).maskedFill(rand([3, 2, 2]).lt(0.25), 255);
    close(focalLoss(logits, target, { gamma: 0 }).item(), crossEntropy(logits, target, { ignoreIndex: 255 }).item());
    const [p0] = softmax2(2, 1);
    const [, p1] = softmax2(0, 0.5);
    const want = (-((1 - p0) ** 2) * Math.log(p0) - 0.25 * (1 - p1) ** 2 * Math.log(p1)) / 2;
    close(focalLoss(tensor([[2, 1], [0, 0.5]]), tensor(BigInt64Array.from([0n, 1n])), { alpha: [1, 0.25] }).item(), want);
  });
});

test('asymmetric loss: BCE without focusing or clipping; the margin frees easy negatives', () => {
  manualSeed(1);
  tidy(() => {
    const logits = randn([5, 3]);
    const y = rand([5, 3]).lt(0.4).to('float32');
    close(asymmetricLoss(logits, y, { gammaPos: 0, gammaNeg: 0, clip: 0 }).item(), binaryCrossEntropyWithLogits(logits, y).item());
    // One negative with p = sigmoid(-3) < 0.05 costs nothing; one positive costs −log p.
    close(asymmetricLoss(tensor([[-3, 1]]), tensor([[0, 1]])).item(), -Math.log(sigmoid(1)) / 2);
    // A hard negative (p = 0.88): p_m = p − 0.05, weighted by p_m^4.
    const pm = sigmoid(2) - 0.05;
    close(asymmetricLoss(tensor([[2]]), tensor([[0]])).item(), -(pm ** 4) * Math.log(1 - pm));
  });
});

test('combined losses add their weighted terms', () => {
  tidy(() => {
    const logits = tensor(Float32Array.from([1, 0, 0, 2]), { shape: [1, 2, 1, 2] });
    const target = tensor(BigInt64Array.from([0n, 1n]), { shape: [1, 1, 2] });
    const both = combineLosses([[1, (l, t) => crossEntropy(l, t)], [0.5, (l, t) => softDiceLoss(l, t)]]);
    close(both(logits, target).item(), crossEntropy(logits, target).item() + 0.5 * softDiceLoss(logits, target).item());
    assert.throws(() => combineLosses([]), /no terms/);
  });
});
