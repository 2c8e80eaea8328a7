// The guard against catastrophic overfitting of fast adversarial training (Wong et al.
// 2020): single-step training can suddenly learn to defeat FGSM alone while robustness
// to PGD collapses within a few batches. The guard measures PGD accuracy on a held-out
// batch every few steps and at each epoch's end; when it falls well below the best seen,
// it puts the best weights back and stops training.
import { type Tensor, tidy, keep } from '../../torch/index.js';
import type { Module } from '../../nn/index.js';
import {
  type Callback, type CallbackContext, snapshotWeights, restoreWeights, disposeSnapshot,
} from '../../train/index.js';
import { Victim, type InputNormalization, pgd } from '../attacks/index.js';

export interface OverfittingGuardOptions {
  /** Held-out inputs as the loader yields them (standardised if the loader standardises) and their labels. */
  inputs: Tensor;
  targets: Tensor;
  eps: number;
  /** PGD steps of the check. Default 10. */
  steps?: number;
  /** Default 2.5 ε / steps. */
  stepSize?: number;
  normalization?: InputNormalization | null;
  /** Check every this many optimizer steps as well as at each epoch's end (0: epoch ends only). Default 0. */
  checkEvery?: number;
  /** Stop when PGD accuracy falls more than this below its best. Default 0.2. */
  tolerance?: number;
  /** Print a line when the guard stops training. Default true. */
  verbose?: boolean;
}

export class CatastrophicOverfittingGuard implements Callback {
  /** PGD accuracy of each check, in order. */
  readonly checks: { globalStep: number; accuracy: number }[] = [];
  best = -Infinity;
  /** Optimizer step at which training was stopped, -1 while it was not. */
  stoppedAt = -1;
  readonly wantsBatchEvents: boolean;
  private bestWeights: Map<string, Tensor> | undefined;
  private readonly inputs: Tensor;
  private readonly targets: Tensor;

  constructor(readonly options: OverfittingGuardOptions) {
    const o = options;
    if (o.inputs?.ndim !== 4 || o.targets?.ndim !== 1 || o.inputs.shape[0] !== o.targets.shape[0]) {
      throw new RangeError(`CatastrophicOverfittingGuard: expected inputs [N, C, H, W] and targets [N], got [${o.inputs?.shape}] and [${o.targets?.shape}]`);
    }
    if (!(o.eps > 0)) throw new RangeError(`CatastrophicOverfittingGuard: eps must be positive, got ${o.eps}`);
    if (o.checkEvery !== undefined && !(Number.isInteger(o.checkEvery) && o.checkEvery >= 0)) {
      throw new RangeError(`CatastrophicOverfittingGuard: checkEvery must be a non-negative integer, got ${o.checkEvery}`);
    }
    this.inputs = keep(o.inputs.detach().clone());
    this.targets = keep(o.targets.clone());
    this.wantsBatchEvents = (o.checkEvery ?? 0) > 0;
  }

  /** PGD accuracy of the model on the held-out batch (in evaluation mode, restored afterwards). */
  robustAccuracy(model: Module): number {
    const wasTraining = model.training;
    model.eval();
    try {
      return tidy(() => {
        const device = model.parameters()[0]?.device ?? 'cpu';
        const victim = new Victim(model, this.options.normalization ?? null);
        const x = victim.pixels(this.inputs.to(device));
        const y = this.targets.to(device);
        const adv = pgd(victim, x, y, {
          eps: this.options.eps, steps: this.options.steps ?? 10, ...(this.options.stepSize ? { stepSize: this.options.stepSize } : {}),
        });
        return victim.logits(adv).argmax(1).eq(y).to('float32').mean().item();
      });
    } finally {
      model.train(wasTraining);
    }
  }

  private check(ctx: CallbackContext): void {
    if (this.stoppedAt >= 0) return;
    const accuracy = this.robustAccuracy(ctx.model);
    this.checks.push({ globalStep: ctx.globalStep, accuracy });
    if (accuracy > this.best) {
      this.best = accuracy;
      disposeSnapshot(this.bestWeights);
      this.bestWeights = snapshotWeights(ctx.model);
    } else if (accuracy < this.best - (this.options.tolerance ?? 0.2)) {
      if (this.bestWeights) restoreWeights(ctx.model, this.bestWeights);
      this.stoppedAt = ctx.globalStep;
      ctx.stopTraining = true;
      if (this.options.verbose ?? true) {
        console.log(`catastrophic overfitting: PGD accuracy of the held-out batch fell to ${accuracy.toFixed(3)} (best ${this.best.toFixed(3)}); ` +
          `the best weights are restored and training stops at step ${ctx.globalStep}`);
      }
    }
  }

  onBatchEnd(_batch: number, _logs: unknown, ctx: CallbackContext): void {
    const every = this.options.checkEvery ?? 0;
    if (every > 0 && ctx.globalStep % every === 0) this.check(ctx);
  }

  onEpochEnd(_epoch: number, _logs: unknown, ctx: CallbackContext): void {
    this.check(ctx);
  }

  onTrainEnd(): void {
    disposeSnapshot(this.bestWeights);
    this.bestWeights = undefined;
  }

  dispose(): void {
    this.onTrainEnd();
    this.inputs.dispose();
    this.targets.dispose();
  }
}
