// The quickstart recipe (fashion-cnn-plus on Fashion-MNIST, 6 epochs) trained in fp32 and in
// bf16-mixed, same seed and data order: test accuracy and training time of each. On a CPU
// without native bf16 units (no AMX, no AVX-512 BF16) bf16 is emulated and slower; the
// accuracy comparison holds either way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runExperiment } from '../src/experiment/index.js';
import { resolvePrecision } from '../src/train/index.js';
import { QUICKSTART_CONFIG } from '../src/cli/quickstart.js';

const epochs = Number(process.env.BENCH_EPOCHS ?? QUICKSTART_CONFIG.epochs);
const runs = mkdtempSync(path.join(tmpdir(), 'visionlab-bench-precision-'));
const auto = resolvePrecision('auto', 'cpu');
console.log(`quickstart recipe, ${epochs} epochs; precision 'auto' here: ${auto.precision} (${auto.reason})`);
const results: Record<string, { acc: number; seconds: number }> = {};
try {
  for (const precision of ['fp32', 'bf16-mixed'] as const) {
    const r = await runExperiment({ ...QUICKSTART_CONFIG, name: `precision-${precision}`, precision }, { runsRoot: runs, quiet: true, epochs });
    results[precision] = { acc: r.testAccuracy, seconds: r.trainingSeconds };
    const short = precision === 'fp32' ? 'fp32' : 'bf16';
    console.log(`precision ${short} test accuracy: ${r.testAccuracy.toFixed(4)}`);
    console.log(`precision ${short} training time s: ${r.trainingSeconds.toFixed(1)}`);
  }
  const d = results['bf16-mixed']!.acc - results.fp32!.acc;
  console.log(`precision bf16 - fp32 accuracy points: ${(100 * d).toFixed(2)}`);
  console.log(`precision bf16/fp32 time ratio: ${(results['bf16-mixed']!.seconds / results.fp32!.seconds).toFixed(3)}`);
} finally {
  rmSync(runs, { recursive: true, force: true });
}
