// A multi-label head for any convolutional backbone: global average and max pooling of its
// feature maps side by side (max pooling keeps a small object's evidence that averaging
// over the whole image would dilute), dropout, and one logit per label. With the backbone
// of a trained segmentation model it is the transfer-learning route to image-level labels.
import { type Tensor, cat } from '../torch/index.js';
import { Module, Linear, Dropout } from '../nn/index.js';
import { checkPositiveInt, checkProbability, child } from './options.js';

export class MultilabelHead extends Module {
  /**
   * `backbone` maps images to feature maps [N, channels, h, w] (its forward); it is
   * registered as a child, so its weights train with the head unless frozen.
   */
  constructor(backbone: Module, readonly channels: number, readonly numLabels: number, dropout = 0.2) {
    super();
    checkPositiveInt(channels, 'MultilabelHead: channels');
    checkPositiveInt(numLabels, 'MultilabelHead: numLabels');
    this.registerModule('backbone', backbone);
    this.registerModule('dropout', new Dropout(checkProbability(dropout, 'MultilabelHead: dropout')));
    this.registerModule('fc', new Linear(2 * channels, numLabels));
  }

  override forward(x: Tensor): Tensor {
    const f = child(this, 'backbone', Module).call(x) as Tensor;
    if (f.ndim !== 4 || f.shape[1] !== this.channels) {
      throw new RangeError(`MultilabelHead: the backbone gives [${f.shape.join(', ')}], expected [N, ${this.channels}, h, w] feature maps`);
    }
    const pooled = cat([f.mean([2, 3]), f.flatten(2).max(2).values], 1);
    return child(this, 'fc', Linear).call(child(this, 'dropout', Dropout).call(pooled));
  }
}
