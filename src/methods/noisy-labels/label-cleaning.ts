// The label-cleaning network of Veit et al. 2017 ("Learning from noisy large-scale datasets
// with minimal supervision"), trained jointly with the classifier.
//
// The cleaner sees the classifier's image features (the input of its head) and an image's
// noisy label, and outputs a cleaned label distribution in residual form: the noisy label's
// one-hot vector plus a learned correction, clipped to [0, 1]. It learns where both labels
// are known (the trusted subset) with the paper's L1 loss against the trusted label. The
// classifier learns from the trusted labels where there are some, and elsewhere from the
// cleaned labels, held constant (no gradient flows through them into the cleaner, as in
// the paper). Because cleaned labels need not sum to 1 (a single-label classifier's softmax
// target must), they are normalised; a row the cleaner zeroes entirely falls back to the
// noisy label. With targets 'hard' the classifier learns the cleaned labels' most probable
// class instead.
//
// The correction's last layer starts at zero, so training starts as plain training on the
// noisy labels and the cleaner takes over as it learns. The cleaner reads the classifier's
// features without training them (detached): on noisy Fashion-MNIST its gradient through
// the shared features cost the classifier half a point of test accuracy.
import { type Tensor, keep, tensor, tidy, cat, zeros, stack, ops } from '../../torch/index.js';
import { Module, Linear, crossEntropy } from '../../nn/index.js';
import { headPath } from '../../models/index.js';
import {
  ClassificationTask, type Task, type StepBatch, type EpochMetrics, type LossReduction, type Callback,
  type CallbackContext, type EpochLogs,
} from '../../train/index.js';
import { LeadingLogitsMetrics } from './leading-logits-metrics.js';

/** The cleaner: image features and a noisy label in, a cleaned label distribution out. */
export class LabelCleaner extends Module<[Tensor, Tensor], Tensor> {
  constructor(readonly featureSize: number, readonly numClasses: number, readonly embedding = 128) {
    super();
    this.registerModule('features', new Linear(featureSize, embedding));
    this.registerModule('label', new Linear(numClasses, embedding));
    const correction = this.registerModule('correction', new Linear(2 * embedding, numClasses));
    correction.weight.detach().zero_();
    correction.bias!.detach().zero_();
  }

  /** features [N, D], noisy labels one-hot [N, K] -> cleaned labels [N, K] in [0, 1]. */
  override forward(features: Tensor, noisy: Tensor): Tensor {
    const f = (this.getSubmodule('features') as Linear).call(features);
    const l = (this.getSubmodule('label') as Linear).call(noisy);
    const g = (this.getSubmodule('correction') as Linear).call(cat([f, l], 1).relu());
    return noisy.add(g).clamp(0, 1);
  }
}

/** The classifier with its cleaner; called as a module it is the classifier. */
export class LabelCleaningModel extends Module {
  /** The input of the classifier's head in its latest forward pass. */
  private captured: Tensor | undefined;

  constructor(classifier: Module, numClasses: number, embedding = 128) {
    super();
    this.registerModule('classifier', classifier);
    const head = classifier.getSubmodule(headPath(classifier));
    if (!(head instanceof Linear)) throw new TypeError(`label-cleaning: the classifier's head '${headPath(classifier)}' is not a Linear layer, so its image features have no fixed size`);
    this.registerModule('cleaner', new LabelCleaner(head.inFeatures, numClasses, embedding));
    head.registerForwardHook((_m, inputs) => {
      this.captured = inputs[0] as Tensor;
      return undefined;
    });
  }

  get classifier(): Module { return this.getSubmodule('classifier') as Module; }
  get cleaner(): LabelCleaner { return this.getSubmodule('cleaner') as LabelCleaner; }

  override forward(x: Tensor): Tensor {
    return this.classifier.call(x) as Tensor;
  }

  /** Logits and the features they came from, flattened per sample. */
  classify(x: Tensor): { logits: Tensor; features: Tensor } {
    this.captured = undefined;
    const logits = this.classifier.call(x) as Tensor;
    const f = this.captured as Tensor | undefined;
    this.captured = undefined;
    if (!f) throw new Error('label-cleaning: the classifier\'s head did not run in its forward pass');
    return { logits, features: f.reshape([f.shape[0]!, -1]) };
  }
}

export interface LabelCleaningOptions {
  /** Per training sample (by dataset index): its noisy label (for trusted samples too). */
  noisyLabels: Int32Array;
  /** Per training sample: 1 where the given label is trusted (the clean subset). */
  trusted: Uint8Array;
  /** Weight of the cleaner's L1 loss next to the classifier's (default 1). */
  cleanerWeight?: number;
  /** Per training sample, its true label where known: enables the cleaned-label agreement record. */
  trueLabels?: Int32Array;
  /**
   * What the classifier learns from on untrusted images: 'soft', the cleaned distribution
   * normalised (default), or 'hard', its most probable class.
   */
  targets?: 'soft' | 'hard';
}

/** A per-sample lookup table on the device the steps run on. */
class SampleTable {
  private t: Tensor | undefined;
  constructor(private readonly values: Int32Array | Uint8Array) {}
  at(indices: Int32Array, device: string): Tensor {
    if (this.t?.device !== device || this.t.isDisposed) {
      this.t?.dispose();
      this.t = keep(tensor(Int32Array.from(this.values)).long().to(device));
    }
    return this.t.indexSelect(0, tensor(indices).long().to(device));
  }
  dispose(): void { this.t?.dispose(); this.t = undefined; }
}

export class LabelCleaning implements Task, Callback {
  readonly name = 'classification';
  readonly metricNames = ['accuracy'] as const;
  readonly primaryMetric = 'accuracy';
  private readonly base = new ClassificationTask();
  private readonly noisy: SampleTable;
  private readonly trusted: SampleTable;
  private readonly truth: SampleTable | undefined;
  private classes: number | undefined;
  /** Per epoch on the device: untrusted samples, cleaned labels right, noisy labels right. */
  private agreement: Tensor | undefined;

  constructor(readonly opts: LabelCleaningOptions) {
    const n = opts.noisyLabels.length;
    if (opts.trusted.length !== n) throw new RangeError(`LabelCleaning: trusted has ${opts.trusted.length} entries for ${n} noisy labels`);
    if (opts.trueLabels && opts.trueLabels.length !== n) throw new RangeError(`LabelCleaning: trueLabels has ${opts.trueLabels.length} entries for ${n} noisy labels`);
    if (!opts.trusted.some((t) => t)) throw new RangeError('LabelCleaning: no trusted labels to train the cleaner on');
    const w = opts.cleanerWeight ?? 1;
    if (!(w >= 0)) throw new RangeError(`LabelCleaning: cleanerWeight must be non-negative, got ${w}`);
    this.noisy = new SampleTable(opts.noisyLabels);
    this.trusted = new SampleTable(opts.trusted);
    this.truth = opts.trueLabels ? new SampleTable(opts.trueLabels) : undefined;
  }

  /** In training: classifier logits and cleaned labels side by side [N, 2K]; otherwise the logits. */
  forward(model: Module, batch: StepBatch): Tensor {
    if (!(model instanceof LabelCleaningModel)) throw new TypeError(`LabelCleaning: trains a LabelCleaningModel, got ${model.constructor.name}`);
    if (!model.training) return model.call(batch.inputs);
    const { logits, features } = model.classify(batch.inputs);
    const k = logits.shape[1]!;
    this.classes = k;
    const noisy = ops.one_hot(this.noisy.at(batch.indices, logits.device), k).to(features.dtype);
    return cat([logits, model.cleaner.call(features.detach(), noisy).to(logits.dtype)], 1);
  }

  loss(outputs: Tensor, batch: StepBatch, reduction: LossReduction): Tensor {
    const k = this.classes;
    if (k === undefined || outputs.shape[1] !== 2 * k) return this.base.loss(outputs, batch, reduction);
    return tidy(() => {
      const device = outputs.device;
      const logits = outputs.narrow(1, 0, k), cleaned = outputs.narrow(1, k, k);
      const trusted = this.trusted.at(batch.indices, device).to('bool');
      const given = ops.one_hot(batch.targets, k).to('float32');
      // Classifier: the trusted label, or the cleaned one held constant and normalised.
      const c = cleaned.detach();
      const mass = c.sum(1, true);
      const target = this.opts.targets === 'hard' ? c.argmax(1) : ops.where$self(mass.gt(1e-6), c.div(mass.clamp(1e-6)), given);
      const classify = ops.where$self(trusted, crossEntropy(logits, batch.targets, { reduction: 'none' }), crossEntropy(logits, target, { reduction: 'none' }));
      // Cleaner: L1 to the trusted label, on trusted samples only.
      const l1 = cleaned.sub(given).abs().sum(1).mul(trusted.to('float32'));
      const nTrusted = trusted.to('float32').sum().clamp(1);
      this.record(batch, c, trusted, device);
      const perSample = classify.add(l1.mul((this.opts.cleanerWeight ?? 1) * batch.indices.length).div(nTrusted));
      return reduction === 'none' ? perSample : perSample.mean();
    });
  }

  private record(batch: StepBatch, cleaned: Tensor, trusted: Tensor, device: string): void {
    if (!this.agreement || !this.truth) return;
    const truth = this.truth.at(batch.indices, device);
    const untrusted = trusted.logicalNot();
    const noisy = this.noisy.at(batch.indices, device);
    this.agreement.add_(stack([
      untrusted.sum(), cleaned.argmax(1).eq(truth).logicalAnd(untrusted).sum(), noisy.eq(truth).logicalAnd(untrusted).sum(),
    ]).to('float64'));
  }

  createMetrics(device: string): EpochMetrics {
    return new LeadingLogitsMetrics(this.base.createMetrics(device), () => this.classes);
  }

  predict(outputs: Tensor): Tensor { return this.base.predict(outputs); }
  labels(predictions: Tensor): Tensor { return this.base.labels(predictions); }

  onEpochBegin(_epoch: number, _logs: unknown, ctx: CallbackContext): void {
    this.agreement?.dispose();
    if (this.truth) this.agreement = keep(zeros([3], { dtype: 'float64', device: ctx.model.parameters()[0]?.device ?? 'cpu' }));
  }

  /** Per epoch: how often the cleaned labels (argmax) and the noisy ones name the true class, on untrusted samples. */
  onEpochEnd(_epoch: number, logs: EpochLogs): void {
    if (!this.agreement) return;
    const [n, cleanedRight, noisyRight] = this.agreement.toFlatArray() as number[] as [number, number, number];
    if (n > 0) {
      logs.cleaner_agreement = cleanedRight / n;
      logs.noisy_agreement = noisyRight / n;
    }
  }

  onTrainEnd(): void {
    this.agreement?.dispose();
    this.agreement = undefined;
    this.noisy.dispose();
    this.trusted.dispose();
    this.truth?.dispose();
  }
}
