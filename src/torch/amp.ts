// Mixed precision and inference mode: scopes over libtorch's thread-local autocast state and
// c10::InferenceMode. Both are synchronous scopes, like noGrad: JS opens them around the
// compute of one step and closes them before the next await, so nothing else that runs
// between awaits (a data loader, another model) sees them.
import { native as N } from './native.js';
import { dtypeCode, dtypeName, type DType } from './dtype.js';

export type AutocastDeviceType = 'cpu' | 'cuda';

export interface AutocastOptions {
  /** Whose ops are cast: 'cpu' or 'cuda' (the device type of the model). */
  deviceType: AutocastDeviceType;
  /** The lower precision: 'bfloat16' (CPU and CUDA) or 'float16' (CUDA). Default bfloat16. */
  dtype?: DType;
  /** false runs fn in full precision (turns autocast off inside an enabled region). */
  enabled?: boolean;
}

function synchronous<T>(r: T, what: string): T {
  if (r instanceof Promise) throw new TypeError(`${what}: fn must be synchronous (close the scope before awaiting)`);
  return r;
}

/**
 * Runs fn under autocast, as torch.autocast: matrix products and convolutions run in the
 * lower precision, precision-sensitive ops (softmax, losses, norms) in float32; weights stay
 * float32 and their low-precision copies are cached until the outermost region closes.
 */
export function autocast<T>(opts: AutocastOptions, fn: () => T): T {
  const { deviceType } = opts;
  if (deviceType !== 'cpu' && deviceType !== 'cuda') throw new TypeError(`autocast: deviceType must be 'cpu' or 'cuda', got '${String(deviceType)}'`);
  const dtype = opts.dtype ?? 'bfloat16';
  if (dtype !== 'bfloat16' && dtype !== 'float16') throw new TypeError(`autocast: dtype must be 'bfloat16' or 'float16', got '${dtype}'`);
  if (deviceType === 'cpu' && dtype === 'float16') throw new TypeError("autocast: float16 autocast needs CUDA; on the CPU use 'bfloat16'");
  const enabled = opts.enabled ?? true;
  const prevEnabled = N.autocastIsEnabled(deviceType);
  const prevDtype = N.autocastGetDtype(deviceType);
  N.autocastSetEnabled(deviceType, enabled);
  N.autocastSetDtype(deviceType, dtypeCode(dtype));
  N.autocastEnter();
  try {
    return synchronous(fn(), 'autocast');
  } finally {
    N.autocastExit();
    N.autocastSetEnabled(deviceType, prevEnabled);
    N.autocastSetDtype(deviceType, prevDtype);
  }
}

/** Whether autocast is on for the device type, and its dtype. */
export function autocastState(deviceType: AutocastDeviceType): { enabled: boolean; dtype: DType } {
  return { enabled: N.autocastIsEnabled(deviceType), dtype: dtypeName(N.autocastGetDtype(deviceType)) };
}

/**
 * Runs fn in inference mode (torch.inference_mode): no autograd recording and no version
 * counting, cheaper than noGrad. Tensors made inside are inference tensors: they can be read
 * and used by ordinary ops afterwards, but not saved for a backward pass nor updated in place
 * outside inference mode, so nothing made here may be cached for training.
 */
export function inferenceMode<T>(fn: () => T): T {
  N.inferenceModeEnter();
  try {
    return synchronous(fn(), 'inferenceMode');
  } finally {
    N.inferenceModeExit();
  }
}

export function isInferenceMode(): boolean {
  return N.isInferenceMode();
}
