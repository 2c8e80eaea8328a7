// The safetensors format: an 8-byte little-endian header length, a JSON header naming
// each tensor's dtype, shape and byte range, then the raw little-endian bytes. It holds
// no code, so unlike pickle it is safe to load from anywhere.
import { readFileSync, promises as fsp } from 'node:fs';
import { Tensor } from '../tensor.js';
import { itemSize, type DType } from '../dtype.js';
import { tensorBytes, tensorFromBytes } from './raw-bytes.js';
import { SAFETENSORS_DTYPES, DTYPE_OF_SAFETENSORS } from './storage-types.js';
import { writeFileAtomic, writeFileAtomicSync } from '../../io/atomic-write.js';

export type NamedTensors = Map<string, Tensor> | Record<string, Tensor>;

export interface SafetensorsEntry { name: string; dtype: DType; shape: number[]; begin: number; end: number }
export interface SafetensorsHeader {
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
  /** Offset in the file where the tensor bytes start (8 + header length). */
  dataStart: number;
}
export interface LoadOptions { device?: string }

// The reference implementation refuses larger headers; so do we, so a corrupt length
// cannot make us parse megabytes of tensor bytes as JSON.
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';
// Fatal: a corrupt byte in a name must be an error, not a silently renamed tensor.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function entriesOf(tensors: NamedTensors): [string, Tensor][] {
  const list = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  for (const [name, t] of list) {
    if (!(t instanceof Tensor)) throw new TypeError(`safetensors: '${name}' is not a Tensor`);
    if (name === METADATA_KEY) throw new TypeError(`safetensors: '${METADATA_KEY}' is reserved and cannot name a tensor`);
  }
  return list;
}

/** Encodes tensors (and optional string metadata) into safetensors bytes. */
export function encodeSafetensors(tensors: NamedTensors, metadata?: Record<string, string>): Buffer {
  const list = entriesOf(tensors).map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape, bytes: tensorBytes(t) }));
  // Larger elements first, then by name (as the reference writer does): with the header
  // padded to 8 bytes, every tensor then starts at a multiple of its element size.
  list.sort((a, b) => itemSize(b.dtype) - itemSize(a.dtype) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`safetensors: metadata '${k}' must be a string, got ${typeof v}`);
    }
    header[METADATA_KEY] = metadata;
  }
  let offset = 0;
  for (const e of list) {
    header[e.name] = { dtype: SAFETENSORS_DTYPES[e.dtype], shape: e.shape, data_offsets: [offset, offset + e.bytes.length] };
    offset += e.bytes.length;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([prefix, json, ...list.map((e) => e.bytes)]);
}

function isShape(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => Number.isSafeInteger(d) && d >= 0);
}

/** Parses and validates the header; `source` (a file name) prefixes every error. */
export function readSafetensorsHeader(bytes: Uint8Array, source = '<buffer>'): SafetensorsHeader {
  function fail(msg: string): never { throw new Error(`${source}: not a valid safetensors file: ${msg}`); }
  if (bytes.byteLength < 8) fail(`file is ${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = buf.readBigUInt64LE(0);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) fail(`header length ${headerLen} is larger than the ${MAX_HEADER_BYTES}-byte limit`);
  const dataStart = 8 + Number(headerLen);
  if (dataStart > buf.length) fail(`header length ${headerLen} runs past the end of the file (${buf.length} bytes; truncated?)`);
  let text = '';
  try { text = UTF8.decode(buf.subarray(8, dataStart)); } catch { fail('header is not valid UTF-8'); }
  if (!text.startsWith('{')) fail('header does not start with "{"');
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch (e) { fail(`header is not valid JSON (${(e as Error).message})`); }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) fail('header is not a JSON object');
  const dataLen = buf.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, info] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (info === null || typeof info !== 'object' || Array.isArray(info)) fail(`${METADATA_KEY} is not an object`);
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`${METADATA_KEY}.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const where = `tensor '${name}'`;
    if (info === null || typeof info !== 'object') fail(`${where}: entry is not an object`);
    const { dtype: code, shape, data_offsets: offsets } = info as Record<string, unknown>;
    const dtype = DTYPE_OF_SAFETENSORS.get(String(code));
    if (!dtype) fail(`${where}: dtype ${JSON.stringify(code)} is not supported (supported: ${[...DTYPE_OF_SAFETENSORS.keys()].join(', ')})`);
    if (!isShape(shape)) fail(`${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`${where}: data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLen) fail(`${where}: data_offsets [${begin}, ${end}] run past the end of the data (${dataLen} bytes; truncated?)`);
    const need = (shape as number[]).reduce((a, b) => a * b, 1) * itemSize(dtype!);
    if (end - begin !== need) {
      fail(`${where}: holds ${end - begin} bytes but ${code} [${(shape as number[]).join(', ')}] needs ${need}`);
    }
    entries.push({ name, dtype: dtype!, shape: shape as number[], begin, end });
  }
  // Like the reference reader: the byte ranges must tile the data exactly, with no gaps
  // or overlaps, so a hand-edited or truncated file cannot alias one tensor onto another.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of byOffset) {
    if (e.begin !== expected) fail(`tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] ${e.begin < expected ? 'overlap the previous tensor' : `leave a gap after byte ${expected}`}`);
    expected = e.end;
  }
  if (expected !== dataLen) fail(`tensors cover ${expected} bytes but the file holds ${dataLen} bytes of data`);
  return { entries, metadata, dataStart };
}

/** Decodes safetensors bytes into CPU tensors (or onto `device`), in header order. */
export function decodeSafetensors(bytes: Uint8Array, source = '<buffer>', opts: LoadOptions = {}): Map<string, Tensor> {
  const { entries, dataStart } = readSafetensorsHeader(bytes, source);
  const out = new Map<string, Tensor>();
  try {
    for (const e of entries) {
      const slice = bytes.subarray(dataStart + e.begin, dataStart + e.end);
      let t = tensorFromBytes(slice, e.dtype, e.shape);
      if (opts.device && opts.device !== 'cpu') {
        const moved = t.to(opts.device);
        t.dispose();
        t = moved;
      }
      out.set(e.name, t);
    }
  } catch (e) {
    for (const t of out.values()) t.dispose();
    throw e;
  }
  return out;
}

export async function saveSafetensors(file: string, tensors: NamedTensors, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}
export function saveSafetensorsSync(file: string, tensors: NamedTensors, metadata?: Record<string, string>): void {
  writeFileAtomicSync(file, encodeSafetensors(tensors, metadata));
}
export async function loadSafetensors(file: string, opts: LoadOptions = {}): Promise<Map<string, Tensor>> {
  return decodeSafetensors(await fsp.readFile(file), file, opts);
}
export function loadSafetensorsSync(file: string, opts: LoadOptions = {}): Map<string, Tensor> {
  return decodeSafetensors(readFileSync(file), file, opts);
}
/** The string metadata stored under __metadata__. */
export async function loadSafetensorsMetadata(file: string): Promise<Record<string, string>> {
  return readSafetensorsHeader(await fsp.readFile(file), file).metadata;
}
