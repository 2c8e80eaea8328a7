import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/torch/index.js';
import { rleEncode, rleDecode } from '../../src/metrics/index.js';

// 3×4 mask, row-major:
//   0 1 1 0
//   0 1 0 0
//   1 1 0 1
// Column-major numbering (1-based, down each column): column 0 holds pixels 1-3, column 1
// pixels 4-6, ... Foreground pixels are 3, 4, 5, 6, 7 and 12 → "3 5 12 1".
// Row-major numbering: 2, 3, 6, 9, 10, 12 → "2 2 6 1 9 2 12 1".
const mask = [0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 1];

test('RLE of a known mask, column-major by default and row-major on request', () => {
  assert.equal(rleEncode({ data: mask, height: 3, width: 4 }), '3 5 12 1');
  assert.equal(rleEncode({ data: mask, height: 3, width: 4 }, 'row'), '2 2 6 1 9 2 12 1');
  assert.equal(rleEncode(T.tensor(mask, { shape: [3, 4] })), '3 5 12 1');
  assert.deepEqual(Array.from(rleDecode('3 5 12 1', 3, 4)), mask);
  assert.deepEqual(Array.from(rleDecode('2 2 6 1 9 2 12 1', 3, 4, 'row')), mask);
  assert.equal(rleEncode({ data: new Array(12).fill(0), height: 3, width: 4 }), '');
  assert.deepEqual(Array.from(rleDecode('', 3, 4)), new Array(12).fill(0));
  assert.equal(rleEncode({ data: new Array(12).fill(1), height: 3, width: 4 }), '1 12');
});

test('RLE round-trips random masks', () => {
  T.manualSeed(5);
  for (const [h, w] of [[7, 5], [16, 16], [1, 9]] as const) {
    const m = T.rand([h, w]).gt(0.6);
    const flat = Uint8Array.from(m.toFlatArray());
    for (const order of ['column', 'row'] as const) {
      assert.deepEqual(rleDecode(rleEncode(m, order), h, w, order), flat, `${h}×${w} ${order}`);
    }
  }
});

test('RLE rejects malformed strings and masks', () => {
  assert.throws(() => rleDecode('1 2 5', 3, 4), /odd count of 3 numbers/);
  assert.throws(() => rleDecode('1 4 3 1', 3, 4), /run 1 starts at 3, before the previous run ended/);
  assert.throws(() => rleDecode('10 4', 3, 4), /run 0 ends at pixel 13, past the 3×4 mask's 12 pixels/);
  assert.throws(() => rleDecode('0 2', 3, 4), /1-based start/);
  assert.throws(() => rleEncode({ data: [1, 0], height: 3, width: 4 }), /mask data has 2 values, expected 3×4 = 12/);
  assert.throws(() => rleEncode(T.zeros([2, 2, 2])), /expected a 2-D \[H, W\] mask tensor, got shape \[2, 2, 2\]/);
});
