// The submission format: the study's _rle_encode (row-major flatten, 1-based runs of ones)
// on hand-made masks, checked against NumPy running the study's function, and round trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { encodeSubmission, decodeSubmission, rleEncode } from '../../src/metrics/index.js';
import { PYTHON, skipWithout } from '../support/require-reference.js';

const MASKS: { data: number[]; height: number; width: number }[] = [
  { data: [0, 1, 1, 1, 0, 0], height: 2, width: 3 },
  { data: [1, 1, 0, 0, 1, 0, 1, 1, 1], height: 3, width: 3 },
  { data: [0, 0, 0, 0], height: 2, width: 2 },
  { data: [1, 1, 1, 1], height: 1, width: 4 },
  { data: [3, 0, 7, 7, 0, 255], height: 2, width: 3 },
];

test('row-major RLE gives the study\'s strings on hand-made masks', () => {
  assert.deepEqual(MASKS.map((m) => rleEncode(m, 'row')), ['2 3', '1 2 5 1 7 3', '', '1 4', '1 1 3 2 6 1']);
});

test('the study\'s _rle_encode in NumPy agrees', { skip: skipWithout('numpy') }, () => {
  const script = `
import json, sys, numpy as np
def _rle_encode(img):
    pixels = img.flatten()
    pixels = np.concatenate([[0], pixels, [0]])
    runs = np.where(pixels[1:] != pixels[:-1])[0] + 1
    runs[1::2] -= runs[::2]
    return ' '.join(str(x) for x in runs)
masks = json.loads(sys.argv[1])
print(json.dumps([_rle_encode((np.array(m['data']).reshape(m['height'], m['width']) > 0).astype(np.uint8)) for m in masks]))
`;
  const r = spawnSync(PYTHON, ['-c', script, JSON.stringify(MASKS)], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), MASKS.map((m) => rleEncode(m, 'row')));
});

test('a submission decodes back to its label vectors and foreground masks', () => {
  const entries = [
    { id: 'scene_000001', labels: [0, 1, 0, 1], mask: [0, 2, 2, 0, 0, 4, 4, 4, 0, 0, 0, 0], height: 3, width: 4 },
    { id: 'scene_000002', labels: [0, 0, 0, 0], mask: new Array<number>(12).fill(0), height: 3, width: 4 },
  ];
  const text = encodeSubmission(entries);
  assert.equal(text.split('\n')[0], 'id,rle');
  assert.equal(text.split('\n')[1], 'scene_000001_labels,2 1 4 1');
  const back = decodeSubmission(text, { numLabels: 4, height: 3, width: 4 });
  assert.deepEqual([...back.keys()], ['scene_000001', 'scene_000002']);
  for (const e of entries) {
    assert.deepEqual([...back.get(e.id)!.labels], e.labels);
    assert.deepEqual([...back.get(e.id)!.mask], e.mask.map((v) => (v > 0 ? 1 : 0)));
  }
  assert.throws(() => decodeSubmission('id,rle\nx_labels,1 1\n', { numLabels: 4, height: 3, width: 4 }, 'sub.csv'), /sub\.csv: 'x' has a labels row but no mask row/);
  assert.throws(() => decodeSubmission('id,rle\nx_mask,1 99\n', { numLabels: 4, height: 3, width: 4 }, 'sub.csv'), /sub\.csv: line 2 \(x mask\): .*past the 3×4 mask/);
  assert.throws(() => decodeSubmission('ImageId,EncodedPixels\n', { numLabels: 4, height: 3, width: 4 }), /expected the header 'id,rle'/);
  assert.throws(() => encodeSubmission([{ ...entries[0]!, id: 'a,b' }]), /without commas/);
});
