// Starts the worker processes of a data-parallel job on this machine, as torchrun does:
// each gets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT (which
// initProcessGroup reads) and an equal share of the CPU threads. When one worker dies the
// others are stopped (SIGTERM, then SIGKILL after a grace period) and the launch fails
// with an error naming the worker's rank: a job never waits on a dead rank. Workers on
// other machines learn of it from their next collective, which fails within the group's
// timeout.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import os from 'node:os';

export interface LaunchOptions {
  /** Node script every worker runs, and its arguments. */
  script: string;
  args: readonly string[];
  /** Worker processes on this machine. */
  nproc: number;
  /** Machines in the job (default 1), each starting nproc workers. */
  nnodes?: number;
  /** This machine's index, 0..nnodes-1 (default 0); node 0 hosts rank 0 and the rendezvous. */
  nodeRank?: number;
  /** Address of node 0 as the other machines reach it. Default 127.0.0.1 (one machine). */
  masterAddr?: string;
  /** Rendezvous port on node 0. Default: a free port on one machine, 29500 on several. */
  masterPort?: number;
  /** CPU threads per worker. Default: this machine's cores divided among its workers. */
  threadsPerWorker?: number;
  /** After a worker fails, how long the others get to exit before SIGKILL. Default 5 s. */
  graceMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** A worker that exited with a non-zero code or was killed by a signal. */
export class WorkerFailedError extends Error {
  constructor(readonly rank: number, readonly code: number | null, readonly signal: NodeJS.Signals | null, readonly pid: number | undefined) {
    super(`worker rank ${rank} (pid ${pid ?? '?'}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; the other workers were stopped`);
    this.name = 'WorkerFailedError';
  }
}

export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function checkOptions(o: LaunchOptions): { nnodes: number; nodeRank: number } {
  const int = (v: number | undefined, flag: string, lo: number, hi = Infinity) => {
    if (v !== undefined && (!Number.isInteger(v) || v < lo || v > hi)) throw new RangeError(`launch: ${flag} must be an integer in [${lo}, ${hi}], got ${v}`);
  };
  int(o.nproc, '--nproc', 1);
  const nnodes = o.nnodes ?? 1;
  int(nnodes, '--nnodes', 1);
  const nodeRank = o.nodeRank ?? 0;
  int(nodeRank, '--node-rank', 0, nnodes - 1);
  int(o.masterPort, '--master-port', 1, 65535);
  int(o.threadsPerWorker, 'threadsPerWorker', 1);
  if (nnodes > 1 && o.masterAddr === undefined) throw new TypeError('launch: --master-addr (node 0\'s address) is required with --nnodes > 1');
  return { nnodes, nodeRank };
}

/**
 * The Node flags workers run under: this process's own (as fork() passes them on), such
 * as --single-threaded-gc, less the debugger's, whose port only one process can hold.
 */
function workerNodeFlags(): string[] {
  return process.execArgv.filter((a) => !a.startsWith('--inspect'));
}

/** Runs the workers of this machine; resolves when all exit with 0, rejects with WorkerFailedError otherwise. */
export async function launchWorkers(o: LaunchOptions): Promise<void> {
  const { nnodes, nodeRank } = checkOptions(o);
  const masterAddr = o.masterAddr ?? '127.0.0.1';
  const masterPort = o.masterPort ?? (nnodes === 1 ? await freeTcpPort(masterAddr) : 29500);
  const threads = o.threadsPerWorker ?? Math.max(1, Math.floor(os.availableParallelism() / o.nproc));
  const worldSize = o.nproc * nnodes;
  const children: { child: ChildProcess; rank: number; exited: boolean }[] = [];
  let failure: WorkerFailedError | undefined;
  let killTimer: NodeJS.Timeout | undefined;

  const stopOthers = () => {
    for (const c of children) if (!c.exited) c.child.kill('SIGTERM');
    killTimer = setTimeout(() => { for (const c of children) if (!c.exited) c.child.kill('SIGKILL'); }, o.graceMs ?? 5000);
  };
  const forward = (sig: NodeJS.Signals) => { for (const c of children) if (!c.exited) c.child.kill(sig); };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    await new Promise<void>((resolve) => {
      let running = o.nproc;
      for (let local = 0; local < o.nproc; local++) {
        const rank = nodeRank * o.nproc + local;
        const child = spawn(process.execPath, [...workerNodeFlags(), o.script, ...o.args], {
          stdio: 'inherit',
          env: {
            ...process.env, ...o.env,
            RANK: String(rank), WORLD_SIZE: String(worldSize), LOCAL_RANK: String(local), LOCAL_WORLD_SIZE: String(o.nproc),
            MASTER_ADDR: masterAddr, MASTER_PORT: String(masterPort), VISIONLAB_NUM_THREADS: String(threads),
          },
        });
        const entry = { child, rank, exited: false };
        children.push(entry);
        const ended = (code: number | null, signal: NodeJS.Signals | null) => {
          if (entry.exited) return;
          entry.exited = true;
          if ((code !== 0 || signal !== null) && failure === undefined) {
            failure = new WorkerFailedError(rank, code, signal, child.pid);
            stopOthers();
          }
          if (--running === 0) resolve();
        };
        child.on('exit', ended);
        // A worker that could not start at all counts as failed (exit code unknown).
        child.on('error', () => ended(null, null));
      }
    });
  } finally {
    if (killTimer) clearTimeout(killTimer);
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
  if (failure) throw failure;
}
