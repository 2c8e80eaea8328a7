// Writes PyTorch's torch.save format: a zip archive with data.pkl (pickle protocol 2,
// tensors as torch._utils._rebuild_tensor_v2 over persistent storage ids), one raw record
// per storage under data/, and a version record; Python's torch.load reads it as is.
import { Tensor } from '../tensor.js';
import { PickleWriter } from '../../io/pickle-writer.js';
import { writeZip } from '../../io/zip.js';
import { tensorBytes } from './raw-bytes.js';
import { TORCH_STORAGE_CLASSES } from './storage-types.js';
import { writeFileAtomic, writeFileAtomicSync } from '../../io/atomic-write.js';

/**
 * What saveTorchFile writes: Maps become collections.OrderedDict (like state_dict()),
 * plain objects dicts, arrays lists, integers int, other numbers float.
 */
export type TorchValue =
  | Tensor | string | number | bigint | boolean | null | undefined
  | TorchValue[] | Map<string | number, TorchValue> | { [key: string]: TorchValue };

// The serialization format version torch.save writes since PyTorch 1.6.
const FORMAT_VERSION = '3\n';
const ARCHIVE = 'archive';

function contiguousStrides(size: number[]): number[] {
  const strides = new Array<number>(size.length);
  let s = 1;
  for (let i = size.length - 1; i >= 0; i--) { strides[i] = s; s *= size[i]!; }
  return strides;
}

class TorchPickler {
  readonly pickle = new PickleWriter();
  /** Storage bytes by key, in the order keys were given ("0", "1", ...). */
  readonly storages: Buffer[] = [];
  private readonly keyOf = new Map<Tensor, number>();
  private readonly path: string[] = [];

  value(v: TorchValue): void {
    const p = this.pickle;
    if (v === null || v === undefined) p.none();
    else if (typeof v === 'boolean') p.bool(v);
    else if (typeof v === 'bigint') p.int(v);
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) p.int(v);
      else p.float(v);
    } else if (typeof v === 'string') p.string(v);
    else if (v instanceof Tensor) this.tensor(v);
    else if (Array.isArray(v)) {
      p.emptyList();
      if (v.length > 0) {
        p.mark();
        v.forEach((item, i) => this.nested(String(i), item));
        p.appendsFromMark();
      }
    } else if (v instanceof Map) {
      p.global('collections', 'OrderedDict');
      p.emptyTuple();
      p.reduce();
      this.items([...v.entries()]);
    } else if (Object.getPrototypeOf(v) === Object.prototype) {
      p.emptyDict();
      this.items(Object.entries(v));
    } else {
      throw new TypeError(`saveTorchFile: cannot save ${(v as object).constructor?.name ?? typeof v} at '${this.path.join('.') || '<root>'}'`);
    }
  }

  private nested(key: string, v: TorchValue): void {
    this.path.push(key);
    this.value(v);
    this.path.pop();
  }

  private items(entries: [string | number, TorchValue][]): void {
    if (entries.length === 0) return;
    this.pickle.mark();
    for (const [k, item] of entries) {
      this.value(k);
      this.nested(String(k), item);
    }
    this.pickle.setitemsFromMark();
  }

  private tensor(t: Tensor): void {
    if (t.isDisposed) throw new Error(`saveTorchFile: tensor at '${this.path.join('.')}' has been disposed`);
    const p = this.pickle;
    let key = this.keyOf.get(t);
    if (key === undefined) {
      key = this.storages.length;
      this.storages.push(tensorBytes(t));
      this.keyOf.set(t, key);
    }
    const size = t.shape;
    p.global('torch._utils', '_rebuild_tensor_v2');
    p.mark();
    // persistent id: ('storage', torch.<Type>Storage, key, location, numel)
    p.mark();
    p.string('storage');
    p.global('torch', TORCH_STORAGE_CLASSES[t.dtype]);
    p.string(String(key));
    p.string('cpu');
    p.int(t.numel());
    p.tupleFromMark();
    p.persistentId();
    p.int(0); // storage offset
    this.intTuple(size);
    this.intTuple(contiguousStrides(size));
    p.bool(t.requiresGrad);
    p.global('collections', 'OrderedDict'); // backward hooks: always empty
    p.emptyTuple();
    p.reduce();
    p.tupleFromMark();
    p.reduce();
  }

  private intTuple(values: number[]): void {
    this.pickle.mark();
    for (const v of values) this.pickle.int(v);
    this.pickle.tupleFromMark();
  }
}

/** Encodes a value (typically a state dict Map) in torch.save's format. */
export function encodeTorchFile(value: TorchValue): Buffer {
  const pickler = new TorchPickler();
  pickler.value(value);
  const entries = [
    { name: `${ARCHIVE}/data.pkl`, data: pickler.pickle.finish() },
    { name: `${ARCHIVE}/byteorder`, data: Buffer.from('little') },
    ...pickler.storages.map((data, i) => ({ name: `${ARCHIVE}/data/${i}`, data })),
    { name: `${ARCHIVE}/version`, data: Buffer.from(FORMAT_VERSION) },
  ];
  return writeZip(entries, { alignment: 64 });
}

/** Writes `value` like torch.save(value, file) would, atomically. */
export async function saveTorchFile(file: string, value: TorchValue): Promise<void> {
  await writeFileAtomic(file, encodeTorchFile(value));
}
export function saveTorchFileSync(file: string, value: TorchValue): void {
  writeFileAtomicSync(file, encodeTorchFile(value));
}
