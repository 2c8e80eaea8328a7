// What the processor can do fast: whether bf16 matrix products and convolutions run on
// native units (AMX or AVX-512 BF16 on x86 CPUs, tensor cores from Ampere on CUDA) or are
// emulated, which makes bf16 slower than float32.
import { readFileSync } from 'node:fs';
import { native as N, type BlasInfo } from './native.js';
import { parseDevice } from './device.js';

export interface Bf16Support {
  native: boolean;
  /** Why, in words a run file can record. */
  reason: string;
}

/** The CPU feature flags the kernel reports (Linux), or null where they cannot be read. */
export function cpuFlags(cpuinfo?: string): Set<string> | null {
  let text = cpuinfo;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return null;
    }
  }
  const line = /^flags\s*:(.*)$/m.exec(text);
  return line ? new Set(line[1]!.trim().split(/\s+/)) : null;
}

/** Whether bf16 compute is native on the device ('cpu', 'cuda', 'cuda:1'). */
export function bf16Support(device: string, flags: Set<string> | null = cpuFlags()): Bf16Support {
  const { type } = parseDevice(device);
  if (type === 'cuda') {
    return N.cudaHasNativeBf16()
      ? { native: true, reason: 'the CUDA device has bf16 tensor cores (compute capability 8.0 or newer)' }
      : { native: false, reason: 'the CUDA device predates Ampere: no bf16 tensor cores' };
  }
  if (type !== 'cpu') return { native: false, reason: `no bf16 support known for ${type}` };
  if (!flags) return { native: false, reason: 'the CPU feature flags are unknown (no /proc/cpuinfo)' };
  const units = ['amx_bf16', 'avx512_bf16'].filter((f) => flags.has(f));
  return units.length
    ? { native: true, reason: `the CPU has ${units.join(' and ')}` }
    : { native: false, reason: 'the CPU has neither amx_bf16 nor avx512_bf16, so bf16 would be emulated and slower than float32' };
}

/**
 * The BLAS that libtorch's float32 matrix products call. OpenBLAS's pthreads build
 * busy-waits between calls and would take the cores from libtorch's threads, so where it
 * is the one loaded visionlab sets it to one thread at start-up (`threads: 1`); the
 * OpenMP build, which `scripts/setup.sh` selects, shares libtorch's thread pool.
 */
export function blasInfo(): BlasInfo { return N.blasInfo(); }
