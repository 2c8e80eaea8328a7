// Training checkpoints: everything needed to continue a run bit for bit, in one
// safetensors file written atomically. Tensors (model state, optimizer state, the CPU
// random generator) are safetensors entries; the rest (epoch, history, schedule,
// hyperparameters) is JSON in the file's metadata.
import { readFile } from 'node:fs/promises';
import { type Tensor, tidy, noGrad, getRngState, setRngState, encodeSafetensors, decodeSafetensors, readSafetensorsHeader } from '../torch/index.js';
import type { Module } from '../nn/index.js';
import type { Optimizer, OptimizerStateDict, ParamState, LRSchedule } from '../optim/index.js';
import type { DataLoader } from '../data/index.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { History } from './history.js';
import type { GradScaler } from './grad-scaler.js';

const FORMAT = 'visionlab.checkpoint';
const VERSION = 1;

export interface CheckpointContents {
  model: Module;
  optimizer: Optimizer;
  schedule?: LRSchedule;
  /** Number of completed epochs: the index of the epoch a resumed run starts with. */
  epoch: number;
  /** Batches of that epoch already trained on (a checkpoint written mid-epoch). Default 0. */
  batchesDone?: number;
  /** The epoch's running sums at that point, so the resumed epoch's logs are the whole epoch's. */
  epochSums?: Record<string, number>;
  /** Optimizer updates made so far. */
  globalStep?: number;
  history: History;
  /** The training loader, whose epoch counter decides the next epoch's order and augmentation. */
  loader?: DataLoader;
  /** The loss scaler of fp16 mixed precision, whose scale a resumed run must continue from. */
  gradScaler?: GradScaler;
  /** Anything JSON-serialisable the caller wants back (configuration, callback state). */
  extra?: unknown;
}

export interface CheckpointTargets {
  model: Module;
  optimizer?: Optimizer;
  schedule?: LRSchedule;
  loader?: DataLoader;
  gradScaler?: GradScaler;
  /** Restore the libtorch CPU random generator (default true). */
  restoreRng?: boolean;
}

export interface LoadedCheckpoint {
  epoch: number;
  batchesDone: number;
  epochSums: Record<string, number> | undefined;
  globalStep: number | undefined;
  history: History;
  loaderEpoch: number | undefined;
  extra: unknown;
}

interface Meta {
  format: string;
  version: number;
  epoch: number;
  batchesDone?: number;
  epochSums?: Record<string, number>;
  globalStep?: number;
  history: unknown;
  loaderEpoch?: number;
  schedule?: { type: string; state: Record<string, unknown> };
  gradScaler?: Record<string, number>;
  optimizer: { type: string; paramGroups: unknown[]; numbers: Record<string, Record<string, number>> };
  extra?: unknown;
}

/** JSON cannot hold Infinity or NaN (ReduceLROnPlateau starts its best at Infinity). */
function encodeJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? { $number: String(x) } : x));
}
function decodeJson(s: string): unknown {
  return JSON.parse(s, (_k, x: unknown) => (x !== null && typeof x === 'object' && '$number' in x && Object.keys(x).length === 1 ? Number((x as { $number: string }).$number) : x));
}

export function encodeCheckpoint(c: CheckpointContents): Buffer {
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of c.model.stateDict()) tensors.set(`model/${name}`, t);
  const sd = c.optimizer.stateDict();
  const numbers: Record<string, Record<string, number>> = {};
  for (const [pos, state] of sd.state) {
    for (const [key, v] of Object.entries(state)) {
      if (typeof v === 'number') (numbers[pos] ??= {})[key] = v;
      else tensors.set(`optimizer/${pos}/${key}`, v);
    }
  }
  const rng = getRngState();
  tensors.set('rng_state', rng);
  const meta: Meta = {
    format: FORMAT, version: VERSION, epoch: c.epoch, history: c.history.toJSON(),
    ...(c.batchesDone ? { batchesDone: c.batchesDone, epochSums: c.epochSums ?? {} } : {}),
    ...(c.globalStep !== undefined ? { globalStep: c.globalStep } : {}),
    optimizer: { type: c.optimizer.constructor.name, paramGroups: sd.paramGroups, numbers },
    ...(c.loader ? { loaderEpoch: c.loader.epoch } : {}),
    ...(c.schedule ? { schedule: { type: c.schedule.constructor.name, state: c.schedule.stateDict() } } : {}),
    ...(c.gradScaler ? { gradScaler: c.gradScaler.stateDict() } : {}),
    ...(c.extra !== undefined ? { extra: c.extra } : {}),
  };
  try {
    return encodeSafetensors(tensors, { [FORMAT]: encodeJson(meta) });
  } finally {
    rng.dispose();
  }
}

/** Writes the checkpoint atomically: a crash mid-write leaves the previous file intact. */
export async function saveCheckpoint(file: string, contents: CheckpointContents): Promise<void> {
  if (!Number.isInteger(contents.epoch) || contents.epoch < 0) throw new RangeError(`saveCheckpoint(${file}): epoch must be a non-negative integer, got ${contents.epoch}`);
  const b = contents.batchesDone ?? 0;
  if (!Number.isInteger(b) || b < 0) throw new RangeError(`saveCheckpoint(${file}): batchesDone must be a non-negative integer, got ${b}`);
  await writeFileAtomic(file, encodeCheckpoint(contents), { createParentDir: true });
}

/** Restores model, optimizer, schedule, loader epoch and random generator from a checkpoint. */
export async function loadCheckpoint(file: string, targets: CheckpointTargets): Promise<LoadedCheckpoint> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new Error(`loadCheckpoint: cannot read checkpoint ${file}: ${(e as Error).message}`, { cause: e });
  }
  return restoreCheckpoint(bytes, file, targets);
}

export function restoreCheckpoint(bytes: Uint8Array, file: string, targets: CheckpointTargets): LoadedCheckpoint {
  const fail = (why: string): never => { throw new Error(`loadCheckpoint: ${file} is not a usable checkpoint: ${why}`); };
  let meta: Meta;
  let tensors: Map<string, Tensor>;
  try {
    const raw = readSafetensorsHeader(bytes, file).metadata?.[FORMAT];
    if (raw === undefined) fail(`it has no '${FORMAT}' metadata (a plain weights file? load it with loadStateDictFile)`);
    meta = decodeJson(raw!) as Meta;
    tensors = decodeSafetensors(bytes, file);
  } catch (e) {
    if ((e as Error).message.startsWith('loadCheckpoint:')) throw e;
    return fail((e as Error).message);
  }
  try {
    if (meta.format !== FORMAT || typeof meta.epoch !== 'number') fail('its metadata is malformed');
    if (meta.version > VERSION) fail(`it was written by a newer format version (${meta.version})`);
    const history = History.from(meta.history, `loadCheckpoint(${file}): history`);
    restoreModel(targets.model, tensors, fail);
    if (targets.optimizer) restoreOptimizer(targets.optimizer, meta, tensors, file);
    if (targets.schedule) {
      if (!meta.schedule) fail('it holds no learning-rate schedule state but a schedule was given');
      if (meta.schedule!.type !== targets.schedule.constructor.name) {
        fail(`its schedule is a ${meta.schedule!.type}, the given one a ${targets.schedule.constructor.name}`);
      }
      targets.schedule.loadStateDict(meta.schedule!.state);
    }
    if (targets.gradScaler && meta.gradScaler) targets.gradScaler.loadStateDict(meta.gradScaler);
    if (targets.loader && meta.loaderEpoch !== undefined) targets.loader.setEpoch(meta.loaderEpoch);
    const rng = tensors.get('rng_state');
    if (targets.restoreRng !== false && rng) setRngState(rng);
    return {
      epoch: meta.epoch, batchesDone: meta.batchesDone ?? 0, epochSums: meta.epochSums, globalStep: meta.globalStep,
      history, loaderEpoch: meta.loaderEpoch, extra: meta.extra,
    };
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

function restoreModel(model: Module, tensors: Map<string, Tensor>, fail: (why: string) => never): void {
  const saved = new Map<string, Tensor>();
  for (const [k, t] of tensors) if (k.startsWith('model/')) saved.set(k.slice(6), t);
  const own = model.stateDict();
  const missing = [...own.keys()].filter((k) => !saved.has(k));
  const unexpected = [...saved.keys()].filter((k) => !own.has(k));
  if (missing.length || unexpected.length) {
    fail(`its model state does not match ${model.constructor.name}` +
      (missing.length ? `; missing: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}` : '') +
      (unexpected.length ? `; unexpected: ${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ', ...' : ''}` : ''));
  }
  for (const [k, t] of own) {
    const s = saved.get(k)!;
    if (s.shape.length !== t.shape.length || s.shape.some((d, i) => d !== t.shape[i])) {
      fail(`'${k}' has shape [${s.shape}] in the checkpoint, [${t.shape}] in the model`);
    }
  }
  noGrad(() => tidy(() => {
    for (const [k, t] of own) t.copy_(saved.get(k)!);
  }));
}

function restoreOptimizer(opt: Optimizer, meta: Meta, tensors: Map<string, Tensor>, file: string): void {
  if (meta.optimizer.type !== opt.constructor.name) {
    throw new Error(`loadCheckpoint: ${file} holds ${meta.optimizer.type} state, the given optimizer is a ${opt.constructor.name}`);
  }
  const state = new Map<number, ParamState>();
  for (const [pos, nums] of Object.entries(meta.optimizer.numbers)) state.set(Number(pos), { ...nums });
  for (const [k, t] of tensors) {
    const m = /^optimizer\/(\d+)\/(.+)$/.exec(k);
    if (!m) continue;
    const pos = Number(m[1]);
    const s = state.get(pos) ?? {};
    s[m[2]!] = t;
    state.set(pos, s);
  }
  opt.loadStateDict({ state, paramGroups: meta.optimizer.paramGroups } as OptimizerStateDict);
}
