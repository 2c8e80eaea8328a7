// A random stream of its own: operators whose schema takes `Generator?` (randn, randperm,
// bernoulli, normal_, uniform_, multinomial...) draw from it instead of libtorch's default
// generator, so seeded data augmentation and sampling neither depend on nor disturb the
// stream that model initialisation and dropout use.
import { native as N, type Handle } from './native.js';
import type { Tensor } from './tensor.js';
import { wrap, handleOf, describeJs } from './handle.js';
import { parseDevice } from './device.js';

// PyTorch's default seed for a fresh generator (c10::default_rng_seed_val), so that
// `new Generator()` draws what `torch.Generator()` draws.
const DEFAULT_SEED = 67280421310721n;

export interface GeneratorOptions {
  seed?: number | bigint;
  /** 'cpu' (default) or 'cuda[:index]'. */
  device?: string;
}

export class Generator {
  readonly h: Handle;
  private disposed = false;

  /** `new Generator(42)` or `new Generator({ seed: 42, device: 'cuda' })`. */
  constructor(opts: GeneratorOptions | number | bigint = {}) {
    const o = typeof opts === 'object' ? opts : { seed: opts };
    const dev = parseDevice(o.device ?? 'cpu');
    if (dev.type !== 'cpu' && dev.type !== 'cuda') throw new TypeError(`Generator: device '${o.device}' is not supported (cpu or cuda)`);
    // The native side is freed by dispose() or, failing that, by the handle's finalizer.
    this.h = N.generatorNew(o.seed ?? DEFAULT_SEED, dev.type === 'cpu' ? -1 : dev.index ?? 0);
  }

  /** Reseeds deterministically; the stream restarts as a new Generator(seed) would. */
  manualSeed(seed: number | bigint): this {
    N.generatorManualSeed(this.h, seed);
    return this;
  }
  /** Reseeds from a non-deterministic source and returns the seed chosen. */
  seed(): bigint { return N.generatorSeed(this.h); }
  /** The seed the stream started from. */
  initialSeed(): bigint { return N.generatorInitialSeed(this.h); }
  /** The full state as a uint8 tensor (to save with a checkpoint). */
  getState(): Tensor { return wrap(N.generatorGetState(this.h)); }
  /** Restores a state from getState(); the stream continues exactly from there. */
  setState(state: Tensor): this {
    N.generatorSetState(this.h, handleOf(state));
    return this;
  }
  get device(): string { return N.generatorDevice(this.h); }
  get isDisposed(): boolean { return this.disposed; }

  dispose(): void {
    if (!this.disposed) {
      this.disposed = true;
      N.generatorDispose(this.h);
    }
  }
  [Symbol.dispose](): void { this.dispose(); }
}

/** The handle the addon expects for a `Generator?` argument (undefined for none). */
export function generatorHandleOf(g: Generator | null | undefined): Handle | undefined {
  if (g == null) return undefined;
  if (!(g instanceof Generator)) throw new TypeError(`expected a Generator, got ${describeJs(g)}`);
  return g.h;
}

/** Generators not yet disposed or collected (a leak check, like liveTensorCount). */
export function liveGeneratorCount(): number { return N.liveGenerators(); }
