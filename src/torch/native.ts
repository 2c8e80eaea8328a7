// Loads the C++ addon. `torch/` is the only code that talks to it.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { TorchError } from './torch-error.js';

/* The addon's surface; see native/*.cc. Handles are opaque externals, type-tagged by kind. */
export type Handle = object;
/** The BLAS libtorch calls for float32 matrix products, as the addon finds it loaded. */
export type BlasInfo =
  | { library: 'openblas'; parallel: 'sequential' | 'pthreads' | 'openmp' | 'unknown'; threads: number; config: string }
  | { library: 'other' };
export interface NativeAddon {
  fromBuffer(data: ArrayBufferView | ArrayBuffer, scalarType: number, shape: number[]): Handle;
  toBuffer(h: Handle): ArrayBuffer;
  shape(h: Handle): number[];
  dim(h: Handle): number;
  numel(h: Handle): number;
  dtype(h: Handle): number;
  isContiguous(h: Handle, memoryFormat: number): boolean;
  device(h: Handle): string;
  describe(h: Handle): string;
  dispose(h: Handle): void;
  liveHandles(): number;
  item(h: Handle): number | boolean;
  opHandle(name: string, overload: string): number;
  call(id: number, ...args: unknown[]): unknown;
  listSchemas(): unknown[];
  timeCall(id: number, iterations: number, ...args: unknown[]): number;
  setErrorClass(cls: new (message: string, op: string, args: never[]) => Error): void;
  enumNames(): { layout: string[]; memoryFormat: string[] };
  generatorNew(seed: number | bigint, deviceIndex: number): Handle;
  generatorManualSeed(g: Handle, seed: number | bigint): void;
  generatorSeed(g: Handle): bigint;
  generatorInitialSeed(g: Handle): bigint;
  generatorGetState(g: Handle): Handle;
  generatorSetState(g: Handle, state: Handle): void;
  generatorDevice(g: Handle): string;
  generatorDispose(g: Handle): void;
  liveGenerators(): number;
  setRequiresGrad(h: Handle, on: boolean): void;
  requiresGrad(h: Handle): boolean;
  isLeaf(h: Handle): boolean;
  gradFn(h: Handle): string | undefined;
  grad(h: Handle): Handle | undefined;
  setGrad(h: Handle, g: Handle | undefined): void;
  retainGrad(h: Handle): void;
  backward(h: Handle, grad: Handle | undefined, retainGraph: boolean | undefined, createGraph: boolean | undefined): void;
  autogradGrad(outputs: Handle[], inputs: Handle[], gradOutputs: (Handle | undefined)[] | undefined,
    retainGraph: boolean | undefined, createGraph: boolean | undefined, allowUnused: boolean | undefined): (Handle | undefined)[];
  setGradEnabled(on: boolean): void;
  isGradEnabled(): boolean;
  manualSeed(seed: number): void;
  getRngState(): Handle;
  setRngState(state: Handle): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  blasInfo(): BlasInfo;
  setDeterministic(on: boolean): void;
  getDeterministic(): boolean;
  cudaDeviceCount(): number;
  version(): string;
  autocastIsEnabled(deviceType: string): boolean;
  autocastSetEnabled(deviceType: string, on: boolean): void;
  autocastGetDtype(deviceType: string): number;
  autocastSetDtype(deviceType: string, scalarType: number): void;
  autocastEnter(): number;
  autocastExit(): number;
  inferenceModeEnter(): number;
  inferenceModeExit(): number;
  isInferenceMode(): boolean;
  isInferenceTensor(h: Handle): boolean;
  cudaHasNativeBf16(): boolean;
  profilerStart(recordShapes: boolean): void;
  /** [kind ('push' | 'pop' | 'mark'), name, threadId, handle, timeUs, input shapes] per event. */
  profilerStop(): [string, string, number, number, number, number[][]][];
  // c10d process groups and DistributedDataParallel's reducer (native/process_group.cc,
  // native/ddp_reducer.cc, native/sync_collectives.cc).
  processGroupNew(opts: {
    backend: string; rank: number; worldSize: number; timeoutMs: number;
    host?: string; port?: number; filePath?: string; interface?: string;
  }): Handle;
  processGroupDestroy(pg: Handle): void;
  processGroupInfo(pg: Handle): { rank: number; worldSize: number; backend: string; timeoutMs: number };
  ncclAvailable(): boolean;
  allReduce(pg: Handle, tensors: Handle[], op: string): Handle;
  broadcast(pg: Handle, tensors: Handle[], root: number): Handle;
  allGather(pg: Handle, outputs: Handle[], input: Handle): Handle;
  barrier(pg: Handle): Handle;
  workWait(work: Handle): void;
  workIsCompleted(work: Handle): boolean;
  allReduceSumDifferentiable(pg: Handle, x: Handle): Handle;
  reducerNew(pg: Handle, params: Handle[], bucketOf: number[]): Handle;
  reducerPrepare(reducer: Handle): void;
  reducerStats(reducer: Handle): { buckets: number; launchedInHooks: number; launchedAtEnd: number };
}

function load(): NativeAddon {
  const require = createRequire(import.meta.url);
  const here = path.dirname(fileURLToPath(import.meta.url));
  // dist/src/torch -> package root; also works from src/torch when run through a TS loader.
  const roots = [path.resolve(here, '../../..'), path.resolve(here, '../..')];
  const tried: string[] = [];
  for (const root of roots) {
    for (const kind of ['Release', 'Debug']) {
      const file = path.join(root, 'build', kind, 'visionlab.node');
      tried.push(file);
      if (!existsSync(file)) continue;
      try {
        return require(file) as NativeAddon;
      } catch (e) {
        throw new Error(`visionlab: found ${file} but could not load it: ${(e as Error).message}\n` +
          'If libtorch moved or was upgraded, rebuild with `npm run build:native` (LIBTORCH=/path for a non-Debian libtorch).', { cause: e });
      }
    }
  }
  throw new Error(`visionlab: native addon not found. Tried:\n  ${tried.join('\n  ')}\n` +
    'Build it with `npm run build:native` (needs libtorch: `bash scripts/setup.sh` installs Debian libtorch-dev, or set LIBTORCH=/path/to/libtorch).');
}

export const native: NativeAddon = load();
// Operator failures reach JS as TorchError (with op and args), built by the addon itself.
native.setErrorClass(TorchError);
