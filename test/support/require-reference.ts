// References that some tests compare against: Debian's Python with torch, torchvision,
// numpy or scikit-image, and the Fashion-MNIST package. Where one is missing a test
// skips, except in CI (CI=true), where setup installs all of them: there a missing
// reference means setup is broken, and the test fails saying so instead of passing
// silently as a skip.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PYTHON = '/usr/bin/python3';
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Python modules by the name tests use, and the Debian package that provides each. */
const MODULES = {
  torch: 'python3-torch',
  torchvision: 'python3-torchvision',
  numpy: 'python3-numpy',
  skimage: 'python3-skimage',
} as const;

export type Reference = 'python' | keyof typeof MODULES | 'fashion-mnist' | 'chromium';

/** Debian's Chromium, which the dashboard's browser tests drive through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

const FASHION_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

const IMPORT_CHECK = `
import sys
for m in sys.argv[1:]:
    try:
        __import__(m)
    except Exception as e:
        print(m + '\t' + type(e).__name__ + ': ' + (str(e).splitlines() or [''])[0])
`;

const cache = new Map<string, string | null>();

/** Why the references are unusable here, or null when all of them are present. */
export function missingReferences(...refs: Reference[]): string | null {
  const key = [...refs].sort().join(',');
  if (cache.has(key)) return cache.get(key)!;
  const reasons: string[] = [];
  const modules = refs.filter((r): r is keyof typeof MODULES => r in MODULES);
  if ((modules.length > 0 || refs.includes('python')) && !existsSync(PYTHON)) {
    reasons.push(`${PYTHON} not found (Debian package python3)`);
  } else if (modules.length > 0) {
    const r = spawnSync(PYTHON, ['-c', IMPORT_CHECK, ...modules], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    if (r.status !== 0) reasons.push(`${PYTHON} failed to check imports: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`);
    else {
      for (const line of r.stdout.split('\n').filter((l) => l.includes('\t'))) {
        const [m, error] = line.split('\t') as [keyof typeof MODULES, string];
        reasons.push(`${PYTHON} cannot import ${m} (${error}; Debian package ${MODULES[m]})`);
      }
    }
  }
  if (refs.includes('fashion-mnist')) {
    const absent = FASHION_FILES.filter((f) => !existsSync(`${FASHION_MNIST_DIR}/${f}`));
    if (absent.length > 0) reasons.push(`${FASHION_MNIST_DIR} lacks ${absent.join(', ')} (Debian package dataset-fashion-mnist)`);
  }
  if (refs.includes('chromium') && !existsSync(CHROMIUM)) reasons.push(`${CHROMIUM} not found (Debian package chromium)`);
  const reason = reasons.length > 0 ? reasons.join('; ') : null;
  cache.set(key, reason);
  return reason;
}

export function inCI(): boolean {
  return process.env.CI === 'true';
}

/**
 * The skip reason for a test that needs these references, or false when they are all
 * present. In CI it throws instead: setup installs every reference there.
 */
export function skipWithout(...refs: Reference[]): string | false {
  const reason = missingReferences(...refs);
  if (reason === null) return false;
  if (inCI()) throw new Error(`setup is broken: CI=true but a reference this test compares against is missing: ${reason}. scripts/setup.sh installs it.`);
  return reason;
}
