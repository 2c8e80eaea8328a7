// The shape most zoo CNNs share (torchvision's VGG/AlexNet/MobileNetV2 and the Keras-style
// study models): `features` (a Sequential of conv blocks), an optional pooling step,
// flatten, then `classifier` (a Sequential ending in the head Linear).
import { Tensor, ops } from '../torch/index.js';
import { Module, Sequential, MaxPool2d, Linear } from '../nn/index.js';
import { child } from './options.js';
import type { TransferLayout } from './transfer-layout.js';

export interface ConvClassifierParts {
  features: Sequential;
  classifier: Sequential;
  /** A pooling module registered as 'avgpool' (torchvision's name), e.g. AdaptiveAvgPool2d(7). */
  avgpool?: Module;
  /** Global average pooling without a module (MobileNetV2 does it functionally, so it has no state-dict entry). */
  globalAvgPool?: boolean;
  /** Index of the head Linear inside classifier. */
  headIndex: number;
}

export class ConvClassifier extends Module implements TransferLayout {
  readonly headPath: string;
  /** Whether forward pools globally between features and classifier (read by the ONNX exporter). */
  readonly globalAvgPool: boolean;

  constructor(parts: ConvClassifierParts) {
    super();
    this.registerModule('features', parts.features);
    if (parts.avgpool) this.registerModule('avgpool', parts.avgpool);
    this.registerModule('classifier', parts.classifier);
    this.globalAvgPool = parts.globalAvgPool ?? false;
    this.headPath = `classifier.${parts.headIndex}`;
  }

  /** Width of the current head (follows replaceHead). */
  get numClasses(): number { return this.getSubmodule(this.headPath, Linear).outFeatures; }

  /** The convolutional trunk's output for x (before pooling and the classifier). */
  featureMaps(x: Tensor): Tensor {
    return child(this, 'features', Sequential).call(x);
  }

  override forward(x: Tensor): Tensor {
    let h = this.featureMaps(x);
    const pool = this.getModule('avgpool', Module);
    if (pool) h = pool.call(h);
    if (this.globalAvgPool) h = ops.adaptive_avg_pool2d(h, [1, 1]);
    return child(this, 'classifier', Sequential).call(h.flatten(1));
  }

  /**
   * Stages for progressive unfreezing: each block of the trunk (a child with children of
   * its own, as in the scene CNN) is a stage, and flat runs of layers are split after
   * each max-pool (VGG, the Keras-style models); then the classifier's layers before
   * the head.
   */
  backboneStages(): string[][] {
    const stages: string[][] = [];
    let current: string[] = [];
    const close = () => { if (current.length) stages.push(current); current = []; };
    for (const [name, m] of child(this, 'features', Sequential).namedChildren()) {
      if (m.children().length > 0) {
        close();
        stages.push([`features.${name}`]);
        continue;
      }
      current.push(`features.${name}`);
      if (m instanceof MaxPool2d) close();
    }
    close();
    const headIndex = Number(this.headPath.slice('classifier.'.length));
    const beforeHead = [...child(this, 'classifier', Sequential).namedChildren()]
      .filter(([name]) => Number(name) < headIndex).map(([name]) => `classifier.${name}`);
    if (beforeHead.length) stages.push(beforeHead);
    return stages;
  }
}
