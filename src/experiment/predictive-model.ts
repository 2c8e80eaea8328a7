// A finished classification run as the function a study hands in: predictiveModel(image)
// -> label. The run's own test transforms and normalisation are applied, so the function
// takes images as they are stored (uint8 or [0, 1] floats, C×H×W or a batch N×C×H×W).
import { type Tensor, tidy, noGrad, zeros } from '../torch/index.js';
import { openRun, runClassificationTask } from './open-run.js';

export interface PredictiveModel {
  /** The predicted class index of one image [C, H, W], or of each image of a batch [N, C, H, W]. */
  (image: Tensor): number | Int32Array;
  readonly classNames: readonly string[];
}

/** Loads a run directory (config.json, run.json, model weights) as a prediction function. */
export async function loadPredictiveModel(runDir: string): Promise<PredictiveModel> {
  const run = await openRun(runDir);
  const [c, h, w] = run.info.imageShape;
  // With the run's test-time augmentation, if its config has one.
  const task = runClassificationTask(run);
  const predict = (image: Tensor): number | Int32Array => {
    const single = image.ndim === 3;
    const got = single ? image.shape : image.shape.slice(1);
    if ((image.ndim !== 3 && image.ndim !== 4) || got[0] !== c || got[1] !== h || got[2] !== w) {
      throw new RangeError(`predictiveModel: expected an image [${c}, ${h}, ${w}] or a batch [N, ${c}, ${h}, ${w}] (as the run ${runDir} was trained on), got [${image.shape.join(', ')}]`);
    }
    const labels = tidy(() => noGrad(() => {
      const x = run.testTransform.apply(single ? image.unsqueeze(0) : image).to(run.config.device);
      const batch = { inputs: x, targets: zeros([0]), indices: Int32Array.from({ length: x.shape[0]! }, (_, i) => i) };
      return Int32Array.from(task.forward(run.model, batch).argmax(1).cpu().toFlatArray() as number[]);
    }));
    return single ? labels[0]! : labels;
  };
  return Object.assign(predict, { classNames: run.info.classNames });
}
