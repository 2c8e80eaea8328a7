// visionlab attack RUN --attack NAME --eps LIST: how a finished run's model holds up
// under an attack over a list of budgets, written as a report next to the run's own.
import path from 'node:path';
import { Subset, DataLoader } from '../data/index.js';
import { openRun, runTestLoader } from '../experiment/index.js';
import { Victim, getAttack, listAttacks, evaluateRobustness, writeAttackReport } from '../methods/attacks/index.js';
import { Generator, keep, tidy } from '../torch/index.js';
import { parseCommandArgs, positiveInt, str, UsageError, type Command } from './args.js';

/** '0.01,0.03,0.1' → [0.01, 0.03, 0.1]. */
export function parseEpsList(value: string | undefined): number[] {
  if (value === undefined) throw new UsageError('attack: --eps is required, e.g. --eps 0.01,0.03,0.1 (pixel units of [0, 1] images)');
  const list = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const eps = list.map(Number);
  const bad = list.filter((s, i) => !/^[\d.eE+-]+$/.test(s) || !(eps[i]! >= 0) || !Number.isFinite(eps[i]!));
  if (list.length === 0 || bad.length > 0) throw new UsageError(`attack: --eps must be a comma-separated list of non-negative numbers, got '${value}'`);
  return eps;
}

export const attackCommand: Command = {
  name: 'attack',
  summary: 'measure a finished run\'s robustness to an adversarial attack over budgets',
  usage: `visionlab attack RUN --attack NAME --eps E1,E2,... [--steps N] [--step-size S] [--restarts R] [--limit N] [--out DIR]

Attacks the test images of the run in RUN with NAME at each budget ε (pixel units:
images are in [0, 1] and the run's normalisation is applied inside the attack) and
writes DIR (default RUN/attack-NAME): robustness.json (accuracy, per-class robust
accuracy, success rate and mean perturbation norms per ε), robustness-curve.png,
per-class-robust-accuracy.png, adversarial-grid.png (clean, adversarial and amplified
perturbation with predicted labels and confidences) and report.html.

  --attack NAME     one of ${listAttacks().join(', ')} (default pgd)
  --eps LIST        budgets, e.g. 0.01,0.03,0.1 (required)
  --steps N         iterations of iterative attacks (queries for square)
  --step-size S     step of iterative attacks (default: the attack's own)
  --restarts R      PGD restarts
  --limit N         attack only the first N test images
  --seed N          seed of random starts (default 0)
  --out DIR         where the report goes`,
  async run(argv) {
    const a = parseCommandArgs('attack', argv, {
      attack: { type: 'string' }, eps: { type: 'string' }, steps: { type: 'string' }, 'step-size': { type: 'string' },
      restarts: { type: 'string' }, limit: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' },
    });
    if (a.help) return void console.log(this.usage);
    if (a.positionals.length !== 1) throw new UsageError(`attack: expected one RUN directory, got ${a.positionals.length} arguments (see visionlab attack --help)`);
    const name = str(a.values.attack) ?? 'pgd';
    let entry;
    try {
      entry = getAttack(name);
    } catch (e) {
      throw new UsageError(`attack: ${(e as Error).message}`);
    }
    const eps = parseEpsList(str(a.values.eps));
    const steps = positiveInt(a.values.steps, '--steps');
    const restarts = positiveInt(a.values.restarts, '--restarts');
    const limit = positiveInt(a.values.limit, '--limit');
    const seedText = str(a.values.seed) ?? '0';
    if (!/^\d+$/.test(seedText)) throw new UsageError(`--seed must be a non-negative integer, got '${seedText}'`);
    const seed = Number(seedText);
    const stepSizeText = str(a.values['step-size']);
    const stepSize = stepSizeText === undefined ? undefined : Number(stepSizeText);
    if (stepSize !== undefined && !(stepSize > 0)) throw new UsageError(`--step-size must be a positive number, got '${stepSizeText}'`);

    const run = await openRun(a.positionals[0]!);
    const norm = run.config.transforms.normalize;
    const normalization = typeof norm === 'object' ? norm : null;
    const { loader: full, data } = await runTestLoader(run);
    const testSet = limit !== undefined && limit < data.test.length ? new Subset(data.test, Int32Array.from({ length: limit }, (_, i) => i)) : data.test;
    const loader = testSet === data.test ? full : new DataLoader(testSet, full.options);
    const attackOptions = { ...(steps ? { steps } : {}), ...(stepSize ? { stepSize } : {}), ...(restarts ? { restarts } : {}) };
    const names = run.info.classNames;
    console.log(`attacking ${testSet.length} test images of ${run.dir} (${run.info.model}) with ${entry.name} at ε ${eps.join(', ')}`);
    const result = await evaluateRobustness(run.model, loader, {
      attack: entry.name, eps, numClasses: names.length, normalization, attackOptions, generator: new Generator(seed), device: run.config.device,
    });
    // Eight test images for the grid, as [0, 1] pixels.
    const victim = new Victim(run.model, normalization);
    const sample = tidy(() => {
      const b = testSet.getBatch(Int32Array.from({ length: Math.min(8, testSet.length) }, (_, i) => i));
      const inputs = run.testTransform.apply(b.inputs).to(run.config.device);
      return { images: keep(victim.pixels(inputs).clamp(0, 1)), labels: keep(b.targets.to(run.config.device)) };
    });
    const out = str(a.values.out) ?? path.join(run.dir, `attack-${entry.name}`);
    try {
      const report = await writeAttackReport(out, {
        result, classNames: names, sample, victim, attack: entry.run, attackOptions,
        details: { run: path.resolve(run.dir), model: run.info.model, attack: entry.name, norm: entry.norm, ...attackOptions, seed },
      });
      console.log(`clean accuracy: ${result.cleanAccuracy.toFixed(4)}`);
      for (const p of result.points) {
        console.log(`ε ${p.eps}: accuracy ${p.accuracy.toFixed(4)}, success rate ${p.successRate.toFixed(4)}, mean L2 ${p.meanL2.toFixed(4)}, mean L∞ ${p.meanLinf.toFixed(4)}`);
      }
      console.log(`report: ${report}`);
    } finally {
      sample.images.dispose();
      sample.labels.dispose();
    }
  },
};

