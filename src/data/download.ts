// Downloads with checksum verification into a cache directory. A file is streamed to a
// temporary name beside its destination, verified, and only then renamed into place, so
// an interrupted or corrupted download never looks like a good cached file.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tempPathFor } from '../io/atomic-write.js';

export interface Checksum { sha256?: string; md5?: string }
export interface DownloadOptions extends Checksum {
  /** Called with bytes received so far and the total when the server says it. */
  onProgress?: (received: number, total: number | undefined) => void;
}

function expected(c: Checksum): { algo: 'sha256' | 'md5'; hex: string } | undefined {
  if (c.sha256) return { algo: 'sha256', hex: c.sha256.toLowerCase() };
  if (c.md5) return { algo: 'md5', hex: c.md5.toLowerCase() };
  return undefined;
}

export async function fileDigest(file: string, algo: 'sha256' | 'md5'): Promise<string> {
  const h = createHash(algo);
  await pipeline(createReadStream(file), h);
  return h.digest('hex');
}

/** Whether file exists and matches the checksum (any existing file matches when none is given). */
export async function verifyFile(file: string, c: Checksum): Promise<boolean> {
  if (!existsSync(file)) return false;
  const want = expected(c);
  return !want || (await fileDigest(file, want.algo)) === want.hex;
}

/**
 * Downloads url to dest unless dest already exists and verifies. Throws, leaving nothing
 * at dest, when the server fails or the downloaded bytes do not match the checksum.
 */
export async function downloadFile(url: string, dest: string, opts: DownloadOptions = {}): Promise<string> {
  if (await verifyFile(dest, opts)) return dest;
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  const want = expected(opts);
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`download ${url}: ${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${(e as { cause: Error }).cause.message})` : ''}`, { cause: e });
  }
  if (!res.ok || !res.body) throw new Error(`download ${url}: HTTP ${res.status} ${res.statusText}`);
  const total = Number(res.headers.get('content-length')) || undefined;
  const hash = want ? createHash(want.algo) : undefined;
  let received = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      hash?.update(chunk);
      opts.onProgress?.(received, total);
      done(null, chunk);
    },
  });
  const tmp = tempPathFor(dest);
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), tap, createWriteStream(tmp));
    if (total !== undefined && received !== total) throw new Error(`download ${url}: received ${received} of ${total} bytes`);
    if (want && hash) {
      const got = hash.digest('hex');
      if (got !== want.hex) throw new Error(`download ${url}: ${want.algo} checksum mismatch: expected ${want.hex}, got ${got} (the file was not saved to ${dest})`);
    }
    await fsp.rename(tmp, dest);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  return dest;
}

export interface RemoteFile { url: string; file: string; md5: string }

const FASHION_MNIST_BASE = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';
const MNIST_BASE = 'https://ossci-datasets.s3.amazonaws.com/mnist/';
const CIFAR_BASE = 'https://www.cs.toronto.edu/~kriz/';

const remote = (base: string, file: string, md5: string): RemoteFile => ({ url: base + file, file, md5 });

/** The published archives and their MD5s (as listed by the dataset authors and torchvision). */
export const DATASET_FILES = {
  fashionMnist: {
    trainImages: remote(FASHION_MNIST_BASE, 'train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'),
    trainLabels: remote(FASHION_MNIST_BASE, 'train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'),
    testImages: remote(FASHION_MNIST_BASE, 't10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'),
    testLabels: remote(FASHION_MNIST_BASE, 't10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310'),
  },
  mnist: {
    trainImages: remote(MNIST_BASE, 'train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'),
    trainLabels: remote(MNIST_BASE, 'train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'),
    testImages: remote(MNIST_BASE, 't10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'),
    testLabels: remote(MNIST_BASE, 't10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c'),
  },
  cifar10: {
    bin: remote(CIFAR_BASE, 'cifar-10-binary.tar.gz', 'c32a1d4ab5d03f1284b67883e8d87530'),
    py: remote(CIFAR_BASE, 'cifar-10-python.tar.gz', 'c58f30108f718f92721af3b95e74349a'),
  },
  cifar100: {
    bin: remote(CIFAR_BASE, 'cifar-100-binary.tar.gz', '03b5dce01913d631647c71ecec9e9cb8'),
    py: remote(CIFAR_BASE, 'cifar-100-python.tar.gz', 'eb9058c3a382ffc7106e4002c42a8d85'),
  },
} as const;
