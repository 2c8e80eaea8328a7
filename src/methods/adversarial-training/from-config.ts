// The `adversarial:` section of an experiment config turned into the task and the guard
// that train it; handed to runExperiment as its training method.
import { type Tensor, Generator, keep, tidy, cat } from '../../torch/index.js';
import type { TrainingMethods, TrainingSetup } from '../../experiment/index.js';
import type { Callback } from '../../train/index.js';
import { AdversarialTrainingTask } from './adversarial-task.js';
import { CatastrophicOverfittingGuard } from './overfitting-guard.js';

/** The first `count` validation inputs and targets as the loader yields them (transformed). */
async function validationImages(setup: TrainingSetup, count: number) {
  const loader = setup.valLoader;
  if (!loader) throw new Error('config.adversarial.guard: needs validation images (split.val > 0)');
  const inputs: Tensor[] = [];
  const targets: Tensor[] = [];
  let have = 0;
  for await (const b of loader) {
    inputs.push(b.inputs);
    targets.push(b.targets);
    have += b.targets.shape[0]!;
    if (have >= count) break;
  }
  return tidy(() => {
    const x = cat(inputs).narrow(0, 0, Math.min(count, have));
    const y = cat(targets).narrow(0, 0, Math.min(count, have));
    for (const t of [...inputs, ...targets]) t.dispose();
    return { inputs: keep(x), targets: keep(y) };
  });
}

export const adversarialTraining: TrainingMethods = (setup) => {
  const a = setup.config.adversarial;
  if (!a) return {};
  const normalization = setup.normalize;
  const task = new AdversarialTrainingTask({
    method: a.method, eps: a.eps, normalization, base: setup.baseTask, generator: new Generator(setup.config.seed + 7919),
    ...(a.stepSize !== undefined ? { stepSize: a.stepSize } : {}), ...(a.steps !== undefined ? { steps: a.steps } : {}),
    ...(a.beta !== undefined ? { beta: a.beta } : {}),
  });
  const callbacks: Callback[] = [];
  if (a.guard) {
    const g = a.guard;
    let guard: CatastrophicOverfittingGuard | undefined;
    // The validation images are read when training begins (loading is asynchronous).
    callbacks.push({
      async onTrainBegin() {
        const { inputs, targets } = await validationImages(setup, g.images);
        guard = new CatastrophicOverfittingGuard({ inputs, targets, eps: a.eps, steps: g.steps, checkEvery: g.checkEvery, tolerance: g.tolerance, normalization });
        inputs.dispose();
        targets.dispose();
      },
      wantsBatchEvents: g.checkEvery > 0,
      onBatchEnd(batch, logs, ctx) { guard?.onBatchEnd(batch, logs, ctx); },
      onEpochEnd(epoch, logs, ctx) { guard?.onEpochEnd(epoch, logs, ctx); },
      onTrainEnd() { guard?.dispose(); },
    });
  }
  return { task, callbacks };
};
