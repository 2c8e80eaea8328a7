// One entry point for "load the weights in this file", whatever wrote it: torch.save
// (.pt/.pth, recognised by its zip magic) or safetensors, bare state dicts or training
// checkpoints that wrap one.
import { promises as fsp } from 'node:fs';
import { Tensor } from '../tensor.js';
import { decodeTorchFile, type TorchLoadOptions } from './torch-load.js';
import { decodeSafetensors } from './safetensors.js';

export type FileFormat = 'torch' | 'safetensors' | 'torch-legacy' | 'unknown';

// Checkpoint dicts seen in the wild that hold the model's weights under one key.
const WRAPPER_KEYS = ['state_dict', 'model_state_dict', 'model', 'module', 'net', 'model_state'];
const DATA_PARALLEL_PREFIX = 'module.';

/** Recognises a file's format by its first bytes. */
export function detectFormat(bytes: Uint8Array): FileFormat {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'torch';
  // torch.save before PyTorch 1.6 wrote bare pickles starting with PROTO 2 and a LONG1 magic number.
  if (bytes.length >= 3 && bytes[0] === 0x80 && bytes[1] === 0x02 && bytes[2] === 0x8a) return 'torch-legacy';
  // safetensors: an 8-byte header length, then the JSON header's opening brace.
  if (bytes.length >= 9 && bytes[8] === 0x7b /* '{' */) return 'safetensors';
  return 'unknown';
}

function collectTensors(v: unknown, into: Set<Tensor>, depth = 0): void {
  if (depth > 64) return;
  if (v instanceof Tensor) into.add(v);
  else if (Array.isArray(v)) for (const x of v) collectTensors(x, into, depth + 1);
  else if (v instanceof Map) for (const x of v.values()) collectTensors(x, into, depth + 1);
}

function isTensorMap(v: unknown): v is Map<unknown, unknown> {
  return v instanceof Map && v.size > 0 && [...v.values()].some((x) => x instanceof Tensor);
}

function describeKeys(m: Map<unknown, unknown>): string {
  const keys = [...m.keys()].map(String);
  return keys.slice(0, 12).join(', ') + (keys.length > 12 ? `, ... (${keys.length} keys)` : '');
}

/** Finds the state dict inside a loaded torch file: the dict itself, or one under a wrapper key. */
function unwrapStateDict(value: unknown, source: string): Map<unknown, unknown> {
  if (!(value instanceof Map)) throw new Error(`${source}: holds ${Array.isArray(value) ? 'a list' : typeof value}, not a dict of tensors`);
  // Wrapper keys first: a checkpoint may also hold loose tensors (a best metric) beside its weights.
  for (const key of WRAPPER_KEYS) {
    const inner = value.get(key);
    if (isTensorMap(inner)) return inner;
  }
  if (isTensorMap(value)) return value;
  throw new Error(`${source}: no state dict found; top-level keys are ${describeKeys(value)} ` +
    `(looked for tensors at the top level and under ${WRAPPER_KEYS.map((k) => `'${k}'`).join(', ')})`);
}

function toStateDict(dict: Map<unknown, unknown>, source: string): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [k, v] of dict) {
    const key = String(k);
    if (v instanceof Tensor) out.set(key, v);
    // Modules may store arbitrary picklable extra state; it is not a weight.
    else if (!key.endsWith('_extra_state')) {
      throw new Error(`${source}: state dict entry '${key}' holds ${v === null ? 'None' : typeof v}, not a tensor`);
    }
  }
  return stripDataParallelPrefix(out);
}

function stripDataParallelPrefix(sd: Map<string, Tensor>): Map<string, Tensor> {
  const keys = [...sd.keys()];
  if (keys.length > 0 && keys.every((k) => k.startsWith(DATA_PARALLEL_PREFIX))) {
    // Saved from nn.DataParallel / DistributedDataParallel: names carry the wrapper's prefix.
    return new Map(keys.map((k) => [k.slice(DATA_PARALLEL_PREFIX.length), sd.get(k)!]));
  }
  return sd;
}

/** Decodes a state dict from file bytes; `source` names the file in errors. */
export function decodeStateDict(bytes: Uint8Array, source = '<buffer>', opts: TorchLoadOptions = {}): Map<string, Tensor> {
  const format = detectFormat(bytes);
  if (format === 'safetensors') return stripDataParallelPrefix(decodeSafetensors(bytes, source, opts));
  if (format === 'torch-legacy') {
    throw new Error(`${source}: written by torch.save before PyTorch 1.6 (legacy format), which is not supported; ` +
      're-save it with a current PyTorch: torch.save(torch.load(f), f2)');
  }
  if (format !== 'torch') {
    throw new Error(`${source}: not a torch.save (.pt/.pth) or safetensors file (first bytes: ${Buffer.from(bytes.subarray(0, 8)).toString('hex')})`);
  }
  const loaded = decodeTorchFile(bytes, source, opts);
  const all = new Set<Tensor>();
  collectTensors(loaded, all);
  try {
    const stateDict = toStateDict(unwrapStateDict(loaded, source), source);
    // Optimizer state and other checkpoint contents are not returned; free them now.
    const kept = new Set(stateDict.values());
    for (const t of all) if (!kept.has(t)) t.dispose();
    return stateDict;
  } catch (e) {
    for (const t of all) t.dispose();
    throw e;
  }
}

/**
 * Loads a state dict (parameter name -> tensor) from a .pt/.pth file written by torch.save or
 * from a .safetensors file (recognised by content, not extension). Checkpoints that wrap the
 * weights ({'state_dict': ...}, {'model': ...}, {'model_state_dict': ...}) are unwrapped, and
 * a 'module.' prefix on every name (DataParallel) is removed.
 */
export async function loadStateDictFile(file: string, opts: TorchLoadOptions = {}): Promise<Map<string, Tensor>> {
  return decodeStateDict(await fsp.readFile(file), file, opts);
}
