// Process groups on libtorch's c10d: the ranks of a data-parallel job meet through a
// TCPStore (rank 0 serves it at the master address and port) or a FileStore (a file every
// rank can reach), then exchange tensors with ProcessGroupGloo on CPU or ProcessGroupNCCL
// on GPU. Collectives are in place, like torch.distributed's. Waiting is where failures
// surface: a peer that died or stopped answering gives an error within the group's
// timeout, naming this rank, never a hang.
import { native as N, type Handle } from '../native.js';
import { Tensor, wrap, handleOf } from '../tensor.js';
import { empty_like as emptyLike } from '../ops.generated.js';

export type Backend = 'gloo' | 'nccl';
export type ReduceOp = 'sum' | 'product' | 'min' | 'max';

export interface InitProcessGroupOptions {
  /** 'gloo' (CPU tensors; the default) or 'nccl' (CUDA tensors, with a CUDA libtorch). */
  backend?: Backend;
  /** This process's rank, 0..worldSize-1. Default: $RANK. */
  rank?: number;
  /** Number of processes in the job. Default: $WORLD_SIZE. */
  worldSize?: number;
  /** Host of rank 0's TCPStore. Default: $MASTER_ADDR, else 127.0.0.1. */
  masterAddr?: string;
  /** Port of rank 0's TCPStore. Default: $MASTER_PORT, else 29500. */
  masterPort?: number;
  /** Rendezvous through this file instead of a TCPStore (all ranks must see the same file). */
  initFile?: string;
  /** Rendezvous and every collective fail after this long without an answer. Default 60 s. */
  timeoutMs?: number;
  /** Network interface Gloo listens on (as GLOO_SOCKET_IFNAME). */
  interface?: string;
}

/** An asynchronous collective; wait() returns when its tensors hold the result. */
export class Work {
  constructor(private readonly h: Handle) {}
  wait(): void { N.workWait(this.h); }
  isCompleted(): boolean { return N.workIsCompleted(this.h); }
}

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new RangeError(`initProcessGroup: $${name}='${raw}' is not an integer`);
  return n;
}

function checkInt(v: number | undefined, field: string, lo: number, hi: number): number {
  if (v === undefined) throw new TypeError(`initProcessGroup: ${field} is required (or set $${field === 'rank' ? 'RANK' : 'WORLD_SIZE'})`);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`initProcessGroup: ${field} must be an integer in [${lo}, ${hi}], got ${v}`);
  return v;
}

export class ProcessGroup {
  readonly rank: number;
  readonly worldSize: number;
  readonly backend: Backend;
  readonly timeoutMs: number;
  private destroyed = false;

  /** @internal use initProcessGroup */
  constructor(readonly h: Handle) {
    const info = N.processGroupInfo(h);
    this.rank = info.rank;
    this.worldSize = info.worldSize;
    this.backend = info.backend as Backend;
    this.timeoutMs = info.timeoutMs;
  }

  private live(what: string): Handle {
    if (this.destroyed) throw new Error(`ProcessGroup.${what}: the process group was destroyed`);
    return this.h;
  }

  /** Reduces t in place across ranks; returns at once. */
  allReduceAsync(t: Tensor, op: ReduceOp = 'sum'): Work {
    return new Work(N.allReduce(this.live('allReduce'), [handleOf(t)], op));
  }
  /** Reduces t in place across ranks (every rank ends with the result). */
  allReduce(t: Tensor, op: ReduceOp = 'sum'): Tensor {
    this.allReduceAsync(t, op).wait();
    return t;
  }
  broadcastAsync(t: Tensor, root = 0): Work {
    if (!Number.isInteger(root) || root < 0 || root >= this.worldSize) {
      throw new RangeError(`ProcessGroup.broadcast: root must be a rank in [0, ${this.worldSize - 1}], got ${root}`);
    }
    return new Work(N.broadcast(this.live('broadcast'), [handleOf(t)], root));
  }
  /** Overwrites t in place with root's values. */
  broadcast(t: Tensor, root = 0): Tensor {
    this.broadcastAsync(t, root).wait();
    return t;
  }
  /** Every rank's t, indexed by rank (new tensors of t's shape). */
  allGather(t: Tensor): Tensor[] {
    const outs = Array.from({ length: this.worldSize }, () => emptyLike(t));
    new Work(N.allGather(this.live('allGather'), outs.map(handleOf), handleOf(t))).wait();
    return outs;
  }
  /** Returns when every rank has reached its barrier. */
  barrier(): void {
    new Work(N.barrier(this.live('barrier'))).wait();
  }
  /** The sum of x over ranks as a new tensor that autograd differentiates (SyncBatchNorm). */
  allReduceSum(x: Tensor): Tensor {
    return wrap(N.allReduceSumDifferentiable(this.live('allReduceSum'), handleOf(x)));
  }
  /** Closes the group's connections; later collectives throw. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    N.processGroupDestroy(this.h);
  }
}

/**
 * Joins a process group (torch.distributed.init_process_group). Blocks until every rank
 * has joined, or throws after timeoutMs naming the address it waited on. Defaults come
 * from the variables torchrun and `visionlab train --nproc` set: RANK, WORLD_SIZE,
 * MASTER_ADDR, MASTER_PORT.
 */
export function initProcessGroup(opts: InitProcessGroupOptions = {}): ProcessGroup {
  const worldSize = checkInt(opts.worldSize ?? envInt('WORLD_SIZE'), 'worldSize', 1, 1 << 20);
  const rank = checkInt(opts.rank ?? envInt('RANK'), 'rank', 0, worldSize - 1);
  const backend = opts.backend ?? 'gloo';
  if (backend !== 'gloo' && backend !== 'nccl') throw new TypeError(`initProcessGroup: backend must be 'gloo' or 'nccl', got '${String(backend)}'`);
  if (backend === 'nccl' && !N.ncclAvailable()) {
    throw new Error("initProcessGroup: backend 'nccl' needs the addon built against a CUDA libtorch with NCCL (LIBTORCH=/path npm run build:native); use 'gloo'");
  }
  const timeoutMs = opts.timeoutMs ?? 60_000;
  if (!(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new RangeError(`initProcessGroup: timeoutMs must be a positive integer, got ${timeoutMs}`);
  const base = { backend, rank, worldSize, timeoutMs, ...(opts.interface ? { interface: opts.interface } : {}) };
  if (opts.initFile !== undefined) {
    if (typeof opts.initFile !== 'string' || opts.initFile === '') throw new TypeError('initProcessGroup: initFile must be a file path');
    return new ProcessGroup(N.processGroupNew({ ...base, filePath: opts.initFile }));
  }
  const host = opts.masterAddr ?? process.env.MASTER_ADDR ?? '127.0.0.1';
  const port = opts.masterPort ?? envInt('MASTER_PORT') ?? 29500;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`initProcessGroup: masterPort must be in [1, 65535], got ${port}`);
  try {
    return new ProcessGroup(N.processGroupNew({ ...base, host, port }));
  } catch (e) {
    throw new Error(`initProcessGroup: rank ${rank} of ${worldSize} could not join through ${host}:${port}: ${(e as Error).message}`, { cause: e });
  }
}

/** Whether the addon has ProcessGroupNCCL (built against a CUDA libtorch with NCCL). */
export function ncclAvailable(): boolean { return N.ncclAvailable(); }
