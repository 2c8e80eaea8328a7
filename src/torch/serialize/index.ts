// Reading and writing tensors and state dicts: safetensors and PyTorch's torch.save format.
export {
  encodeSafetensors, decodeSafetensors, readSafetensorsHeader, saveSafetensors, saveSafetensorsSync,
  loadSafetensors, loadSafetensorsSync, loadSafetensorsMetadata,
  type NamedTensors, type SafetensorsEntry, type SafetensorsHeader,
} from './safetensors.js';
export { decodeTorchFile, loadTorchFile, loadTorchFileSync, type TorchLoadOptions } from './torch-load.js';
export { encodeTorchFile, saveTorchFile, saveTorchFileSync, type TorchValue } from './torch-save.js';
export { loadStateDictFile, decodeStateDict, detectFormat, type FileFormat } from './state-dict-file.js';
