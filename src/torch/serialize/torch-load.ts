// Reads PyTorch's torch.save format (a zip archive holding data.pkl and one raw record
// per storage) without Python. Only the globals a checkpoint needs are understood; any
// other name in the pickle is refused, so loading an untrusted file runs no code (like
// torch.load(weights_only=True)).
import { readFileSync, promises as fsp } from 'node:fs';
import { Tensor } from '../tensor.js';
import { type DType, isFloatingDType, itemSize } from '../dtype.js';
import * as ops from '../ops.generated.js';
import { readZip, type ZipRecord } from '../../io/zip.js';
import { unpickle, PyCallable } from '../../io/pickle-reader.js';
import { tensorFromBytes } from './raw-bytes.js';
import { DTYPE_OF_TORCH_STORAGE } from './storage-types.js';

export interface TorchLoadOptions { device?: string }

/** A storage named by a persistent id: raw bytes, typed by its storage class when it has one. */
class StorageRef {
  constructor(readonly key: string, readonly bytes: Buffer, readonly dtype: DType | undefined) {}
}
/** What a GLOBAL such as torch.FloatStorage resolves to. */
class StorageClass {
  constructor(readonly pyName: string, readonly dtype: DType | undefined) {}
}

const TORCH_DTYPES: Record<string, DType> = {
  float32: 'float32', float: 'float32', float64: 'float64', double: 'float64', float16: 'float16', half: 'float16',
  bfloat16: 'bfloat16', int64: 'int64', long: 'int64', int32: 'int32', int: 'int32', int16: 'int16', short: 'int16',
  int8: 'int8', uint8: 'uint8', bool: 'bool',
};

const SUPPORTED_GLOBALS = [
  'collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor', 'torch._utils._rebuild_tensor_v3',
  'torch._utils._rebuild_parameter', 'torch._utils._rebuild_parameter_with_state', 'torch._tensor._rebuild_from_type_v2',
  'torch.<Type>Storage', 'torch.UntypedStorage', 'torch.Size', 'torch.device', 'torch.<dtype>', '_codecs.encode',
];

function contiguousStrides(size: number[]): number[] {
  const strides = new Array<number>(size.length);
  let s = 1;
  for (let i = size.length - 1; i >= 0; i--) { strides[i] = s; s *= size[i]!; }
  return strides;
}

function isIntList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isSafeInteger(x));
}

/** Decodes the bytes of a torch.save file; `source` (the file name) prefixes every error. */
export function decodeTorchFile(bytes: Uint8Array, source = '<buffer>', opts: TorchLoadOptions = {}): unknown {
  const records = readZip(bytes, source);
  const pkl = [...records.keys()].find((n) => /^[^/]+\/data\.pkl$/.test(n) || n === 'data.pkl');
  if (pkl === undefined) {
    if ([...records.keys()].some((n) => n.endsWith('constants.pkl') || /\/code\//.test(n))) {
      throw new Error(`${source}: this is a TorchScript archive (torch.jit.save), not a torch.save file; save the model's state_dict() with torch.save instead`);
    }
    throw new Error(`${source}: zip archive has no data.pkl record, so it is not a torch.save file (records: ${[...records.keys()].slice(0, 8).join(', ')})`);
  }
  const prefix = pkl.slice(0, pkl.length - 'data.pkl'.length);
  const byteorder = records.get(`${prefix}byteorder`)?.read().toString('latin1').trim();
  if (byteorder !== undefined && byteorder !== 'little') {
    throw new Error(`${source}: storages are ${byteorder}-endian; only little-endian files are supported`);
  }

  const storages = new Map<string, StorageRef>();
  const storageTensors = new Map<string, Tensor>(); // by key and dtype
  const results: Tensor[] = [];

  function fail(msg: string): never { throw new Error(`${source}: ${msg}`); }

  function record(name: string): ZipRecord {
    const r = records.get(name);
    if (!r) fail(`record '${name}' named by data.pkl is missing from the archive`);
    return r;
  }

  function persistentLoad(pid: unknown): StorageRef {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
      fail(`unsupported persistent id ${JSON.stringify(pid)} (expected ('storage', type, key, location, numel))`);
    }
    const [, cls, key] = pid as [string, unknown, unknown];
    if (!(cls instanceof StorageClass)) fail(`persistent id names a storage type that is not a storage class`);
    const k = String(key);
    let ref = storages.get(k);
    if (!ref) {
      ref = new StorageRef(k, record(`${prefix}data/${k}`).read(), cls.dtype);
      storages.set(k, ref);
    }
    return ref;
  }

  function storageTensor(ref: StorageRef, dtype: DType): Tensor {
    const id = `${ref.key}:${dtype}`;
    let t = storageTensors.get(id);
    if (!t) {
      const size = itemSize(dtype);
      if (ref.bytes.length % size !== 0) fail(`storage data/${ref.key} holds ${ref.bytes.length} bytes, not a whole number of ${dtype} elements`);
      t = tensorFromBytes(ref.bytes, dtype, [ref.bytes.length / size]);
      storageTensors.set(id, t);
    }
    return t;
  }

  function rebuildTensor(storage: unknown, offset: unknown, size: unknown, stride: unknown, requiresGrad: unknown, dtype?: DType): Tensor {
    if (!(storage instanceof StorageRef)) fail('_rebuild_tensor called without a storage');
    const type = dtype ?? storage.dtype;
    if (!type) fail(`storage data/${storage.key} has no dtype (an untyped storage outside _rebuild_tensor_v3)`);
    if (!Number.isSafeInteger(offset) || !isIntList(size) || !isIntList(stride) || size.length !== stride.length) {
      fail(`tensor over storage data/${storage.key} has a malformed offset/size/stride (${JSON.stringify([offset, size, stride])})`);
    }
    const off = offset as number;
    const numel = size.reduce((a, b) => a * b, 1);
    let out: Tensor;
    if (numel === 0) {
      out = tensorFromBytes(new Uint8Array(0), type, size);
    } else {
      const base = storageTensor(storage, type);
      const available = base.numel();
      const last = off + size.reduce((acc, s, i) => acc + (s - 1) * stride[i]!, 0);
      if (off < 0 || stride.some((s) => s < 0) || last >= available) {
        fail(`tensor of size [${size.join(', ')}], stride [${stride.join(', ')}], offset ${off} reaches element ${last} of storage data/${storage.key}, which holds ${available}`);
      }
      const denseStrides = contiguousStrides(size);
      const isWholeStorage = off === 0 && numel === available && size.every((s, i) => s === 1 || stride[i] === denseStrides[i]);
      if (isWholeStorage) {
        // Shares the storage, as torch.load does; no copy.
        out = base.view(size);
      } else {
        const view = ops.as_strided(base, size, stride, off);
        out = ops.clone(view, { memory_format: 'contiguous_format' });
        view.dispose();
      }
    }
    if (opts.device && opts.device !== 'cpu') {
      const moved = out.to(opts.device);
      out.dispose();
      out = moved;
    }
    if (requiresGrad === true && isFloatingDType(type)) out.requiresGrad = true;
    results.push(out);
    return out;
  }

  const asTensor = (v: unknown, what: string): Tensor => (v instanceof Tensor ? v : fail(`${what} expects a tensor, got ${typeof v}`));

  function findClass(module: string, name: string): unknown {
    const full = `${module}.${name}`;
    switch (full) {
      case 'collections.OrderedDict':
        return new PyCallable(full, (args) => new Map(Array.isArray(args[0]) ? (args[0] as [unknown, unknown][]) : []));
      case 'torch._utils._rebuild_tensor_v2':
      case 'torch._utils._rebuild_tensor':
        return new PyCallable(full, (a) => rebuildTensor(a[0], a[1], a[2], a[3], a[4]));
      case 'torch._utils._rebuild_tensor_v3': {
        return new PyCallable(full, (a) => {
          const dtype = a[6];
          if (typeof dtype !== 'string' || !(dtype in TORCH_DTYPES)) fail(`_rebuild_tensor_v3 with unsupported dtype ${String(dtype)}`);
          return rebuildTensor(a[0], a[1], a[2], a[3], a[4], TORCH_DTYPES[dtype]);
        });
      }
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state':
        return new PyCallable(full, (a) => {
          const t = asTensor(a[0], full);
          if (a[1] === true && isFloatingDType(t.dtype)) t.requiresGrad = true;
          return t;
        });
      case 'torch._tensor._rebuild_from_type_v2':
        // (func, type, args, state): tensor subclasses come back as plain tensors.
        return new PyCallable(full, (a) => {
          if (!(a[0] instanceof PyCallable) || !Array.isArray(a[2])) fail(`${full} with unexpected arguments`);
          return a[0].call(a[2]);
        });
      case 'torch.Tensor':
      case 'torch.nn.parameter.Parameter':
        return new PyCallable(full, () => fail(`constructing ${full} directly is not supported`));
      case 'torch.Size':
        return new PyCallable(full, (a) => (Array.isArray(a[0]) ? [...a[0]] : []));
      case 'torch.device':
        return new PyCallable(full, (a) => (a.length > 1 && a[1] !== null ? `${String(a[0])}:${String(a[1])}` : String(a[0])));
      case 'torch.UntypedStorage':
        return new StorageClass(full, undefined);
      case '_codecs.encode':
        // Python 3 pickles bytes at protocol 2 as _codecs.encode(text, 'latin1').
        return new PyCallable(full, (a) => Buffer.from(String(a[0]), a[1] === 'latin1' || a[1] === 'latin-1' ? 'latin1' : 'utf8'));
    }
    if (module === 'torch') {
      const storageDtype = DTYPE_OF_TORCH_STORAGE.get(name);
      if (storageDtype) return new StorageClass(full, storageDtype);
      if (name in TORCH_DTYPES) return TORCH_DTYPES[name];
    }
    return fail(`data.pkl references the Python global '${full}', which visionlab does not load (supported: ${SUPPORTED_GLOBALS.join(', ')})`);
  }

  try {
    return unpickle(record(pkl).read(), { findClass, persistentLoad }, `${source}:${pkl}`);
  } catch (e) {
    for (const t of results) t.dispose();
    throw e;
  } finally {
    // Views made by rebuildTensor keep their storage alive; these handles are not needed.
    for (const t of storageTensors.values()) t.dispose();
  }
}

/**
 * Loads a file written by PyTorch's torch.save (or saveTorchFile): dicts become Maps,
 * lists and tuples arrays, tensors Tensors (on the CPU unless `device` is given).
 */
export async function loadTorchFile(file: string, opts: TorchLoadOptions = {}): Promise<unknown> {
  return decodeTorchFile(await fsp.readFile(file), file, opts);
}
export function loadTorchFileSync(file: string, opts: TorchLoadOptions = {}): unknown {
  return decodeTorchFile(readFileSync(file), file, opts);
}
