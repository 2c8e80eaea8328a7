import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { downloadFile, DATASET_FILES } from '../../src/data/download.js';
import { encodeIdx } from '../../src/data/formats/idx.js';
import { fashionMnist } from '../../src/data/datasets.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-dl-'));
const served = new Map<string, Buffer>();
let hits = 0;
const server = createServer((req, res) => {
  hits++;
  const body = served.get(req.url ?? '');
  if (!body) { res.writeHead(404); res.end('no such file'); return; }
  res.writeHead(200, { 'content-length': body.length });
  // Two chunks, so the stream is really streamed.
  res.write(body.subarray(0, body.length >> 1));
  setTimeout(() => res.end(body.subarray(body.length >> 1)), 5);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => server.close());

const payload = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 31) % 256));
served.set('/data.bin', payload);
const sha256 = createHash('sha256').update(payload).digest('hex');
const md5 = createHash('md5').update(payload).digest('hex');

test('downloads, verifies sha256, and skips a cached file that verifies', async () => {
  const dest = path.join(tmp, 'a', 'data.bin');
  hits = 0;
  let last = 0;
  await downloadFile(`${base}/data.bin`, dest, { sha256, onProgress: (n) => { last = n; } });
  assert.deepEqual(readFileSync(dest), payload);
  assert.equal(last, payload.length);
  assert.equal(hits, 1);
  await downloadFile(`${base}/data.bin`, dest, { sha256 });
  assert.equal(hits, 1, 'the cached, verified file is not fetched again');
  await downloadFile(`${base}/data.bin`, dest, { md5 });
  assert.equal(hits, 1);
});

test('a cached file that fails verification is fetched again', async () => {
  const dest = path.join(tmp, 'b', 'data.bin');
  await downloadFile(`${base}/data.bin`, dest, { md5 });
  writeFileSync(dest, 'corrupted');
  hits = 0;
  await downloadFile(`${base}/data.bin`, dest, { md5 });
  assert.equal(hits, 1);
  assert.deepEqual(readFileSync(dest), payload);
});

test('checksum mismatch: error names url and both digests, nothing is left behind', async () => {
  const dir = path.join(tmp, 'c');
  const dest = path.join(dir, 'data.bin');
  const wrong = '0'.repeat(64);
  await assert.rejects(downloadFile(`${base}/data.bin`, dest, { sha256: wrong }), (e: Error) =>
    e.message.includes(`${base}/data.bin`) && e.message.includes(wrong) && e.message.includes(sha256) && /sha256 checksum mismatch/.test(e.message));
  assert.equal(existsSync(dest), false);
  assert.deepEqual(readdirSync(dir), [], 'the temporary file was removed');
  await assert.rejects(downloadFile(`${base}/data.bin`, dest, { md5: 'f'.repeat(32) }), /md5 checksum mismatch/);
});

test('HTTP errors name the url and status', async () => {
  await assert.rejects(downloadFile(`${base}/missing.gz`, path.join(tmp, 'd', 'x')), new RegExp(`${base}/missing.gz: HTTP 404`));
});

test('fashionMnist download from a mirror, checked against the published MD5', async () => {
  // The mirror serves bytes whose MD5 is not the published one, so the download must fail.
  served.set('/train-images-idx3-ubyte.gz', gzipSync(encodeIdx(new Uint8Array(4), [1, 2, 2])));
  await assert.rejects(fashionMnist({ root: path.join(tmp, 'none'), split: 'train', download: true, cacheDir: path.join(tmp, 'fm'), mirror: base }),
    new RegExp(`md5 checksum mismatch: expected ${DATASET_FILES.fashionMnist.trainImages.md5}`));
});

test('published URLs and checksums are well formed', () => {
  for (const group of Object.values(DATASET_FILES)) {
    for (const f of Object.values(group)) {
      assert.match(f.md5, /^[0-9a-f]{32}$/);
      assert.ok(f.url.endsWith('/' + f.file), f.url);
    }
  }
});
