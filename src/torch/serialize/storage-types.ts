// Names each file format gives to visionlab's dtypes.
import type { DType } from '../dtype.js';

/** safetensors dtype codes (https://github.com/huggingface/safetensors). */
export const SAFETENSORS_DTYPES: Record<DType, string> = {
  float32: 'F32', float64: 'F64', float16: 'F16', bfloat16: 'BF16',
  int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};
export const DTYPE_OF_SAFETENSORS = new Map<string, DType>(
  Object.entries(SAFETENSORS_DTYPES).map(([d, code]) => [code, d as DType]),
);

/** The legacy typed-storage classes torch.save names in its persistent ids (torch.FloatStorage, ...). */
export const TORCH_STORAGE_CLASSES: Record<DType, string> = {
  float32: 'FloatStorage', float64: 'DoubleStorage', float16: 'HalfStorage', bfloat16: 'BFloat16Storage',
  int64: 'LongStorage', int32: 'IntStorage', int16: 'ShortStorage', int8: 'CharStorage', uint8: 'ByteStorage', bool: 'BoolStorage',
};
export const DTYPE_OF_TORCH_STORAGE = new Map<string, DType>(
  Object.entries(TORCH_STORAGE_CLASSES).map(([d, cls]) => [cls, d as DType]),
);
