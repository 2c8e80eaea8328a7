// A constant vector a task's loss needs on the device (class weights, positive-class
// weights): moved to the device once, not every step, and made again when the device
// changes or when switching between training and inference mode, because a tensor made in
// inference mode (evaluation) cannot be saved for a training step's backward pass.
import { type Tensor, keep, tensor, isInferenceMode } from '../../torch/index.js';

export class DeviceConstant {
  private cached: Tensor | null = null;

  constructor(private readonly values: readonly number[] | Tensor) {}

  on(device: string): Tensor {
    const c = this.cached;
    if (c?.device !== device || c.isDisposed || c.isInference !== isInferenceMode()) {
      c?.dispose();
      const v = this.values;
      this.cached = keep(Array.isArray(v) ? tensor(Float32Array.from(v)).to(device)
        : (v as Tensor).to({ dtype: 'float32', device }, { copy: true }));
    }
    return this.cached!;
  }
}

/** A DeviceConstant for optional values. */
export function deviceConstant(values: readonly number[] | Tensor | undefined): DeviceConstant | undefined {
  return values === undefined ? undefined : new DeviceConstant(values);
}
