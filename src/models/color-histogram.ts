// The noisy-label study's non-deep baseline: per-channel colour histograms as features,
// classified by multinomial logistic regression. Histograms are computed for the whole
// batch with one scatter_add, never a loop over pixels in JS.
import { Tensor, tidy, noGrad, zeros, ones, arange, keep, randperm, manualSeed, ops } from '../torch/index.js';
import { Module, Linear, crossEntropy } from '../nn/index.js';
import { Adam } from '../optim/adam.js';
import { checkPositiveInt, child } from './options.js';

/**
 * Normalised per-channel histograms of uint8 images [N, C, H, W] → float32 [N, C·bins]:
 * channel c's bin b sits at column c·bins + b, and each channel's bins sum to 1.
 * `bins` must divide 256 so that every bin covers the same number of intensities.
 */
export function colorHistogramFeatures(images: Tensor, bins = 16): Tensor {
  const s = images.shape;
  if (s.length !== 4) throw new RangeError(`colorHistogramFeatures: expected uint8 images [N, C, H, W], got shape [${s.join(', ')}]`);
  if (images.dtype !== 'uint8') throw new TypeError(`colorHistogramFeatures: expected uint8 images (0–255), got ${images.dtype}`);
  checkPositiveInt(bins, 'colorHistogramFeatures: bins');
  if (256 % bins !== 0) throw new RangeError(`colorHistogramFeatures: bins must divide 256 (2, 4, 8, 16, 32, ...), got ${bins}`);
  const [n, c, h, w] = s as [number, number, number, number];
  return tidy(() => {
    const bin = images.long().div(256 / bins, 'floor');
    const offset = arange(0, c * bins, bins, { device: images.device }).reshape(1, c, 1, 1);
    const column = bin.add(offset).reshape(n, c * h * w);
    const counts = ops.scatter_add(zeros([n, c * bins], { device: images.device }), 1, column,
      ones([n, c * h * w], { device: images.device }));
    return counts.div(h * w);
  });
}

export interface LogisticRegressionFitOptions {
  epochs?: number;
  /** Adam learning rate. */
  lr?: number;
  /** Mini-batch size; the whole set per step when omitted. */
  batchSize?: number;
  /** L2 penalty on the weights (Adam's weight decay). */
  weightDecay?: number;
  /** Seeds the mini-batch shuffling. */
  seed?: number;
}

/** Multinomial logistic regression: one Linear layer trained with softmax cross-entropy. */
export class LogisticRegression extends Module {
  constructor(readonly inFeatures: number, readonly numClasses: number) {
    super();
    checkPositiveInt(inFeatures, 'LogisticRegression: inFeatures');
    checkPositiveInt(numClasses, 'LogisticRegression: numClasses');
    if (numClasses < 2) throw new RangeError(`LogisticRegression: needs at least 2 classes, got ${numClasses}`);
    this.registerModule('linear', new Linear(inFeatures, numClasses));
  }

  /** Class scores (logits) [N, numClasses] for features [N, inFeatures]. */
  override forward(x: Tensor): Tensor {
    if (x.ndim !== 2 || x.shape[1] !== this.inFeatures) {
      throw new RangeError(`LogisticRegression: expected features [N, ${this.inFeatures}], got shape [${x.shape.join(', ')}]`);
    }
    return child(this, 'linear', Linear).call(x);
  }

  /** Most likely class per row, int64 [N]. */
  predict(x: Tensor): Tensor {
    return tidy(() => noGrad(() => this.forward(x).argmax(1)));
  }

  /** Trains with Adam on cross-entropy; returns the mean training loss of each epoch. */
  fit(features: Tensor, labels: Tensor, opts: LogisticRegressionFitOptions = {}): number[] {
    const n = features.shape[0]!;
    if (features.ndim !== 2 || features.shape[1] !== this.inFeatures) {
      throw new RangeError(`LogisticRegression.fit: expected features [N, ${this.inFeatures}], got shape [${features.shape.join(', ')}]`);
    }
    if (labels.ndim !== 1 || labels.shape[0] !== n || labels.dtype.startsWith('float')) {
      throw new RangeError(`LogisticRegression.fit: expected integer labels [${n}], got ${labels.dtype} shape [${labels.shape.join(', ')}]`);
    }
    const epochs = checkPositiveInt(opts.epochs ?? 200, 'LogisticRegression.fit: epochs');
    const batchSize = checkPositiveInt(opts.batchSize ?? n, 'LogisticRegression.fit: batchSize');
    if (opts.seed !== undefined) manualSeed(opts.seed);
    const optimizer = new Adam(this.parameters(), { lr: opts.lr ?? 0.05, weightDecay: opts.weightDecay ?? 0 });
    const target = keep(labels.long());
    const history: number[] = [];
    this.train();
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        let total = 0;
        tidy(() => {
          const order = batchSize < n ? randperm(n) : null;
          for (let start = 0; start < n; start += batchSize) {
            tidy(() => {
              const idx = order?.narrow(0, start, Math.min(batchSize, n - start));
              const x = idx ? features.indexSelect(0, idx) : features;
              const y = idx ? target.indexSelect(0, idx) : target;
              optimizer.zeroGrad();
              const loss = crossEntropy(this.forward(x), y);
              loss.backward();
              optimizer.step();
              total += loss.item() * x.shape[0]!;
            });
          }
        });
        history.push(total / n);
      }
    } finally {
      this.zeroGrad();
      target.dispose();
    }
    return history;
  }
}
