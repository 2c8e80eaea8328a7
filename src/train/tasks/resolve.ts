// The task fit(), evaluate() and predict() use: the one given, or classification
// configured by the loss and class-weight options those functions also accept.
import type { Tensor } from '../../torch/index.js';
import type { LossSpec } from '../loss.js';
import type { Task } from '../task.js';
import { ClassificationTask } from './classification.js';

export function resolveTask(o: { task?: Task; loss?: LossSpec; classWeights?: Tensor | number[] }): Task {
  return o.task ?? new ClassificationTask({
    ...(o.loss !== undefined ? { loss: o.loss } : {}), ...(o.classWeights !== undefined ? { classWeights: o.classWeights } : {}),
  });
}
