// Which memory format a model trains in. Convolutions in oneDNN (CPU) and cuDNN (CUDA) run
// fastest on channels-last (NHWC) tensors. Measured on a 2-core x86 machine: the CIFAR CNN
// of bench:engine trains about 25% faster in channels-last (PyTorch and visionlab alike);
// visionlab's batch-norm fashion-cnn-plus trains at the same speed either way (980-1,100
// images/s), where PyTorch gains about 20%. Models without 2-D convolutions stay as they are.
import type { Tensor } from '../torch/index.js';
import { parseDevice } from '../torch/index.js';
import type { Module } from '../nn/index.js';

export type TrainingMemoryFormat = 'channels_last' | 'contiguous_format';

export interface MemoryFormatChoice {
  memoryFormat: TrainingMemoryFormat;
  reason: string;
}

/**
 * The model's memory format: the one set with `model.to({ memoryFormat })` if any, else
 * channels-last for a model with 2-D convolution kernels on cpu or cuda. The choice is
 * applied to the model once and kept on it.
 */
export function chooseMemoryFormat(model: Module, device: string): MemoryFormatChoice {
  if (model.memoryFormat) return { memoryFormat: model.memoryFormat, reason: 'set on the model' };
  const type = parseDevice(device).type;
  const hasConv = model.parameters().some((p) => p.ndim === 4);
  const choice: MemoryFormatChoice = !hasConv
    ? { memoryFormat: 'contiguous_format', reason: 'the model has no 2-D convolutions' }
    : type === 'cpu' || type === 'cuda'
      ? { memoryFormat: 'channels_last', reason: `convolutions run faster on channels-last tensors on ${type}` }
      : { memoryFormat: 'contiguous_format', reason: `channels-last is not known to be faster on ${type}` };
  model.to({ memoryFormat: choice.memoryFormat });
  return choice;
}

/** A 4-D input in the model's memory format (other inputs as they are). */
export function inModelFormat(x: Tensor, model: Module): Tensor {
  const fmt = model.memoryFormat;
  return fmt === 'channels_last' && x.ndim === 4 && !x.isContiguous('channels_last') ? x.contiguous('channels_last') : x;
}
