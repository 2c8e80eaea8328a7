// The fixed problem the optimizer tests share with test/optim/make-reference.py: a tiny
// float64 linear regression, loss = mean((X W^T + b - Y)^2).
import assert from 'node:assert/strict';
import { Tensor, tensor, tidy } from '../../src/torch/index.js';
import type { Optimizer, ParamGroup } from '../../src/optim/index.js';
import { X, Y, W0, B0 } from './reference-values.js';

export interface Problem { W: Tensor; b: Tensor; x: Tensor; y: Tensor }

export function makeProblem(): Problem {
  return {
    W: tensor(W0, { dtype: 'float64', requiresGrad: true }),
    b: tensor(B0, { dtype: 'float64', requiresGrad: true }),
    x: tensor(X, { dtype: 'float64' }),
    y: tensor(Y, { dtype: 'float64' }),
  };
}

/** Sets W's and b's gradients for the current parameters. */
export function backward(pr: Problem): void {
  tidy(() => {
    const pred = pr.x.matmul(pr.W.t()).add(pr.b);
    pred.sub(pr.y).square().mean().backward();
  });
}

/** W (row-major) then b, as the reference rows are laid out. */
export function snapshot(pr: Problem): number[] {
  return [...pr.W.toFlatArray(), ...pr.b.toFlatArray()];
}

/**
 * Runs `steps` optimizer steps and returns the parameters after each. `dropBGradAt`
 * lists steps where b's gradient is removed before stepping (so b skips them).
 */
export function runSteps(pr: Problem, opt: Optimizer<ParamGroup>, steps = 5, dropBGradAt: number[] = []): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    backward(pr);
    if (dropBGradAt.includes(i)) pr.b.zeroGrad();
    opt.step();
    rows.push(snapshot(pr));
  }
  return rows;
}

/** Element-wise |a - e| <= atol + rtol * |e|, with a message naming the row and column. */
export function assertAllClose(actual: number[][], expected: number[][], label: string, rtol = 1e-10, atol = 1e-12): void {
  assert.equal(actual.length, expected.length, `${label}: ${actual.length} rows, expected ${expected.length}`);
  actual.forEach((row, r) => {
    assert.equal(row.length, expected[r]!.length, `${label}: row ${r} has ${row.length} values, expected ${expected[r]!.length}`);
    row.forEach((v, c) => {
      const e = expected[r]![c]!;
      assert.ok(Math.abs(v - e) <= atol + rtol * Math.abs(e), `${label}: row ${r} col ${c}: got ${v}, PyTorch gives ${e}`);
    });
  });
}
