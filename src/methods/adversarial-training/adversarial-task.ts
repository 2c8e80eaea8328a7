// Adversarial training as a task on the trainer's contract: the step trains on attacked
// images that the task makes itself, inside forward(), from the batch it is given.
//   'fgsm-rs'  fast adversarial training (Wong et al. 2020): FGSM from a random start, step 1.25 ε
//   'pgd'      PGD adversarial training (Madry et al. 2018): PGD-k from a random start
//   'trades'   TRADES (Zhang et al. 2019): clean cross-entropy + β · KL(clean ‖ adversarial)
// Loaders usually hand the model standardised inputs; the task turns them back into
// [0, 1] pixels with the same normalisation, attacks there (ε in pixel units) and
// standardises the result again, so evaluation, saved weights and the rest of the run
// stay exactly as in standard training. In evaluation mode the task is plain
// classification: validation accuracy is clean accuracy.
import { type Tensor, type Generator, autocast, parseDevice } from '../../torch/index.js';
import type { Module } from '../../nn/index.js';
import { ClassificationTask, type Task, type StepBatch, type EpochMetrics, type LossReduction } from '../../train/index.js';
import { Victim, type InputNormalization, fgsm, pgd } from '../attacks/index.js';
import { ADVERSARIAL_METHODS } from '../../experiment/index.js';
import { tradesAttack, tradesDivergence } from './trades-attack.js';

export { ADVERSARIAL_METHODS };
export type AdversarialMethod = (typeof ADVERSARIAL_METHODS)[number];

export interface AdversarialTrainingOptions {
  method: AdversarialMethod;
  /** L-infinity budget in [0, 1] pixel units. */
  eps: number;
  /** Attack step; defaults: fgsm-rs 1.25 ε, pgd 2.5 ε / steps, trades ε / 4. */
  stepSize?: number;
  /** Attack steps of pgd and trades. Defaults: pgd 7, trades 10. */
  steps?: number;
  /** TRADES' weight of the divergence term. Default 6. */
  beta?: number;
  /** Standardisation the loader applied to the inputs (null: inputs are [0, 1] pixels). */
  normalization?: InputNormalization | null;
  /** Random starts draw from it. */
  generator?: Generator;
  /** The classification task whose loss is trained (default: plain cross-entropy). */
  base?: ClassificationTask;
}

export function checkAdversarialOptions(o: AdversarialTrainingOptions, who = 'AdversarialTrainingTask'): void {
  if (!ADVERSARIAL_METHODS.includes(o.method)) throw new RangeError(`${who}: method must be one of ${ADVERSARIAL_METHODS.join(', ')}, got ${JSON.stringify(o.method)}`);
  if (!(Number.isFinite(o.eps) && o.eps > 0 && o.eps <= 1)) throw new RangeError(`${who}: eps must be in (0, 1] pixel units, got ${o.eps}`);
  if (o.steps !== undefined && !(Number.isInteger(o.steps) && o.steps >= 1)) throw new RangeError(`${who}: steps must be a positive integer, got ${o.steps}`);
  if (o.stepSize !== undefined && !(o.stepSize > 0)) throw new RangeError(`${who}: stepSize must be positive, got ${o.stepSize}`);
  if (o.beta !== undefined && !(o.beta >= 0)) throw new RangeError(`${who}: beta must be non-negative, got ${o.beta}`);
}

export class AdversarialTrainingTask implements Task {
  readonly name = 'classification';
  readonly metricNames: readonly string[];
  readonly primaryMetric: string;
  readonly method: AdversarialMethod;
  private readonly base: ClassificationTask;
  /** TRADES: the adversarial logits of the step whose clean logits forward() returned. */
  private pendingAdvLogits: Tensor | null = null;

  constructor(readonly options: AdversarialTrainingOptions) {
    checkAdversarialOptions(options);
    this.method = options.method;
    this.base = options.base ?? new ClassificationTask();
    this.metricNames = this.base.metricNames;
    this.primaryMetric = this.base.primaryMetric;
  }

  /** Training: logits on attacked images (TRADES: on clean ones, the attacked ones kept for the loss). */
  forward(model: Module, batch: StepBatch): Tensor {
    this.pendingAdvLogits = null;
    if (!model.training) return this.base.forward(model, batch);
    const victim = new Victim(model, this.options.normalization ?? null);
    const x = victim.pixels(batch.inputs.detach());
    const o = this.options;
    const generator = o.generator ? { generator: o.generator } : {};
    // The attack runs outside any mixed-precision autocast of the training step: autocast
    // caches each weight's low-precision copy on first use, and a copy first made under
    // the attack's no-grad passes would carry no gradient to the training loss.
    const { type } = parseDevice(batch.inputs.device);
    const outsideAutocast = <T>(fn: () => T): T => (type === 'cpu' || type === 'cuda' ? autocast({ deviceType: type, enabled: false }, fn) : fn());
    if (o.method === 'trades') {
      const adv = outsideAutocast(() => tradesAttack(victim, x, { eps: o.eps, steps: o.steps ?? 10, stepSize: o.stepSize ?? o.eps / 4, ...generator }));
      this.pendingAdvLogits = victim.logits(adv);
      return model.call(batch.inputs);
    }
    const adv = outsideAutocast(() => (o.method === 'fgsm-rs'
      ? fgsm(victim, x, batch.targets, { eps: o.eps, randomStart: true, ...(o.stepSize ? { stepSize: o.stepSize } : {}), ...generator })
      : pgd(victim, x, batch.targets, { eps: o.eps, steps: o.steps ?? 7, ...(o.stepSize ? { stepSize: o.stepSize } : {}), ...generator })));
    return victim.logits(adv);
  }

  loss(outputs: Tensor, batch: StepBatch, reduction: LossReduction): Tensor {
    const natural = this.base.loss(outputs, batch, reduction);
    const adv = this.pendingAdvLogits;
    if (!adv) return natural;
    const kl = tradesDivergence(outputs.softmax(1), adv, 'none');
    const beta = this.options.beta ?? 6;
    return natural.add((reduction === 'mean' ? kl.mean() : kl).mul(beta));
  }

  createMetrics(device: string): EpochMetrics { return this.base.createMetrics(device); }
  predict(outputs: Tensor): Tensor { return this.base.predict(outputs); }
  labels(predictions: Tensor): Tensor { return this.base.labels(predictions); }
}
