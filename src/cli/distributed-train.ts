// `visionlab train --nproc N [--nnodes M --node-rank R --master-addr HOST --master-port P]`:
// the launching process starts N workers running the same command without these flags;
// a worker finds its rank in the environment the launcher (or torchrun) set and joins
// the process group before training.
import { fileURLToPath } from 'node:url';
import { initProcessGroup, type ProcessGroup } from '../torch/distributed/index.js';
import { launchWorkers } from '../train/distributed/index.js';
import { positiveInt, str, UsageError, type Parsed } from './args.js';

export const LAUNCH_FLAGS = {
  nproc: { type: 'string' }, nnodes: { type: 'string' }, 'node-rank': { type: 'string' },
  'master-addr': { type: 'string' }, 'master-port': { type: 'string' },
} as const;

export const LAUNCH_USAGE = `  --nproc N         train data-parallel in N processes on this machine (the CPU
                    threads are split between them; batchSize is the global batch)
  --nnodes M        machines in the job (default 1), each started with --nproc N
  --node-rank R     this machine's index (0 hosts the rendezvous and writes the run)
  --master-addr H   address of node 0 (required with --nnodes > 1)
  --master-port P   rendezvous port on node 0 (default: a free port; 29500 on several machines)`;

function withoutLaunchFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.startsWith('--') ? a.slice(2).split('=')[0]! : '';
    if (name in LAUNCH_FLAGS) {
      if (!a.includes('=')) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** True when the command line asked to launch workers (and they ran to the end). */
export async function launchIfAsked(command: string, a: Parsed, argv: readonly string[]): Promise<boolean> {
  const nproc = positiveInt(a.values.nproc, '--nproc');
  const multiNode = ['nnodes', 'node-rank', 'master-addr', 'master-port'].filter((f) => a.values[f] !== undefined);
  if (nproc === undefined) {
    if (multiNode.length) throw new UsageError(`${command}: --${multiNode[0]} needs --nproc N`);
    return false;
  }
  const nodeRankRaw = str(a.values['node-rank']);
  if (nodeRankRaw !== undefined && !/^\d+$/.test(nodeRankRaw)) throw new UsageError(`--node-rank must be a non-negative integer, got '${nodeRankRaw}'`);
  const nnodes = positiveInt(a.values.nnodes, '--nnodes');
  const masterPort = positiveInt(a.values['master-port'], '--master-port');
  const masterAddr = str(a.values['master-addr']);
  try {
    await launchWorkers({
      script: fileURLToPath(new URL('./main.js', import.meta.url)), args: [command, ...withoutLaunchFlags(argv)], nproc,
      ...(nnodes !== undefined ? { nnodes } : {}), ...(nodeRankRaw !== undefined ? { nodeRank: Number(nodeRankRaw) } : {}),
      ...(masterAddr !== undefined ? { masterAddr } : {}), ...(masterPort !== undefined ? { masterPort } : {}),
    });
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) throw new UsageError(`${command}: ${e.message}`);
    throw e;
  }
  return true;
}

/** The group of a worker started by a launcher (WORLD_SIZE in the environment), else undefined. */
export function joinGroupFromEnvironment(): ProcessGroup | undefined {
  if (process.env.WORLD_SIZE === undefined || process.env.WORLD_SIZE === '') return undefined;
  return initProcessGroup();
}
