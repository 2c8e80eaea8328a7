// Module: the base of every layer and model. Parameters, buffers and children live in
// ordered registries so that state-dict names follow PyTorch's (`features.0.weight`,
// `bn.running_mean`) and weights move between visionlab, PyTorch and torchvision.
import { Tensor, noGrad, keep, ops, isFloatingDType, isDeviceString, type DType, type MemoryFormat } from '../torch/index.js';

export interface LoadResult { missingKeys: string[]; unexpectedKeys: string[] }

/** What `module.to({...})` changes; any combination. */
export interface ModuleToOptions {
  device?: string;
  dtype?: DType;
  /**
   * How 4-D weights (convolution kernels) lie in memory: 'channels_last' (NHWC order, what
   * oneDNN and cuDNN convolve fastest) or 'contiguous_format'. The trainer puts inputs in
   * the same format. Files written from the state dict are in the usual layout either way.
   */
  memoryFormat?: Extract<MemoryFormat, 'channels_last' | 'contiguous_format'>;
}

/**
 * Any module, whatever it takes and returns: the type of registered children and of
 * traversal results. Calling one gives `unknown`; ask for a class (`getModule('fc',
 * Linear)`) to get a typed one.
 */
export type AnyModule = Module<unknown[], unknown>;

/** A class of modules, used to look up a child with its type (`getModule('fc', Linear)`). */
export type ModuleClass<M extends AnyModule> = abstract new (...args: never[]) => M;

/**
 * Sees (and may replace, by returning a value) a module's output after every call.
 * The inputs are untyped so that a module whose forward takes optional extra arguments
 * (ConvTranspose2d's outputSize) still counts as a Tensor-to-Tensor Module.
 */
export type ForwardHook<Out = unknown> = (module: AnyModule, inputs: readonly unknown[], output: Out) => Out | void;
/** Removes a hook; callable directly or as `.remove()` like PyTorch's handle. */
export type RemoveHook = (() => void) & { remove(): void };

/** l1/l2 factors of a weight penalty, in Keras' convention: l1 adds factor × Σ|w|, l2 adds factor × Σw² (no ½). */
export interface PenaltyFactors {
  l1?: number;
  l2?: number;
}

/**
 * The base of every layer and model. `In` lists forward's arguments and `Out` is its
 * result; both default to one Tensor, so `class Net extends Module` maps a Tensor to a
 * Tensor and `net.call(x)` is a Tensor. Losses are `Module<[input: Tensor, target: Tensor]>`.
 */
export class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  training = true;
  private readonly _parameters = new Map<string, Tensor | null>();
  private readonly _buffers = new Map<string, Tensor | null>();
  private readonly _nonPersistent = new Set<string>();
  private readonly _modules = new Map<string, AnyModule | null>();
  // Stored with the output type erased, so that a Module<In, Out> is still an AnyModule;
  // registerForwardHook only accepts hooks for this module's Out.
  private readonly _forwardHooks = new Map<number, ForwardHook<unknown>>();
  private readonly _penalties = new Map<string, PenaltyFactors>();
  private _nextHookId = 0;

  /** Subclasses implement the computation. */
  forward(..._inputs: In): Out {
    throw new Error(`${this.constructor.name}.forward is not implemented`);
  }

  /** Calls forward, then the forward hooks (the equivalent of PyTorch's `module(x)`). */
  call(...inputs: In): Out {
    let output = this.forward(...inputs);
    if (this._forwardHooks.size === 0) return output;
    for (const hook of [...this._forwardHooks.values()]) {
      const replaced = hook(this, inputs, output) as Out | void;
      if (replaced !== undefined) output = replaced;
    }
    return output;
  }

  /** Runs fn after every call of this module (summaries, feature extraction, activation statistics). */
  registerForwardHook(fn: ForwardHook<Out>): RemoveHook {
    if (typeof fn !== 'function') throw new TypeError(`${this.constructor.name}.registerForwardHook: expected a function`);
    const id = this._nextHookId++;
    this._forwardHooks.set(id, fn as ForwardHook<unknown>);
    const remove = (() => { this._forwardHooks.delete(id); }) as RemoveHook;
    remove.remove = remove;
    return remove;
  }

  // ---- registration ----
  registerParameter(name: string, t: Tensor | null): Tensor | null {
    checkName(name, this);
    if (t !== null) {
      keep(t);
      if (!t.requiresGrad && t.dtype.startsWith('float')) t.requiresGrad = true;
    }
    this._parameters.set(name, t);
    return t;
  }
  registerBuffer(name: string, t: Tensor | null, persistent = true): Tensor | null {
    checkName(name, this);
    if (t !== null) keep(t);
    this._buffers.set(name, t);
    if (!persistent) this._nonPersistent.add(name);
    return t;
  }
  registerModule<M extends AnyModule | null>(name: string, m: M): M {
    checkName(name, this);
    this._modules.set(name, m);
    return m;
  }
  /** Replaces a registered parameter, buffer or child (e.g. a new classification head). */
  setAttr(name: string, value: Tensor | AnyModule | null): void {
    if (this._modules.has(name)) this._modules.set(name, value as AnyModule | null);
    else if (this._parameters.has(name)) this._parameters.set(name, value as Tensor | null);
    else if (this._buffers.has(name)) this._buffers.set(name, value as Tensor | null);
    else throw new Error(`${this.constructor.name} has no parameter, buffer or child named '${name}'`);
  }
  getParameter(name: string): Tensor | null | undefined { return this._parameters.get(name); }
  getBuffer(name: string): Tensor | null | undefined { return this._buffers.get(name); }
  /**
   * A registered child. Given a class, the child is returned with that type (and a
   * child of another class is an error), e.g. `getModule('fc', Linear)`; an empty
   * (null) slot then reads as undefined.
   */
  getModule(name: string): AnyModule | null | undefined;
  getModule<M extends AnyModule>(name: string, type: ModuleClass<M>): M | undefined;
  getModule<M extends AnyModule>(name: string, type?: ModuleClass<M>): AnyModule | null | undefined {
    const m = this._modules.get(name);
    if (type === undefined) return m;
    if (m === undefined || m === null) return undefined;
    return checkClass(m, type, `${this.constructor.name}.getModule('${name}')`);
  }

  // ---- traversal ----
  *namedChildren(): Generator<[string, AnyModule]> {
    for (const [n, m] of this._modules) if (m) yield [n, m];
  }
  children(): AnyModule[] { return [...this.namedChildren()].map(([, m]) => m); }
  *namedModules(prefix = ''): Generator<[string, AnyModule]> {
    yield [prefix, this];
    for (const [n, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${n}` : n);
  }
  modules(): AnyModule[] { return [...this.namedModules()].map(([, m]) => m); }
  *namedParameters(prefix = ''): Generator<[string, Tensor]> {
    for (const [name, mod] of this.namedModules(prefix)) {
      for (const [pn, p] of mod._parameters) if (p) yield [name ? `${name}.${pn}` : pn, p];
    }
  }
  parameters(): Tensor[] { return [...this.namedParameters()].map(([, p]) => p); }
  *namedBuffers(prefix = ''): Generator<[string, Tensor]> {
    for (const [name, mod] of this.namedModules(prefix)) {
      for (const [bn, b] of mod._buffers) if (b) yield [name ? `${name}.${bn}` : bn, b];
    }
  }
  buffers(): Tensor[] { return [...this.namedBuffers()].map(([, b]) => b); }
  /** Sub-module by dotted path, e.g. `layer1.0.conv1`; given a class, typed as it (`getSubmodule('classifier.6', Linear)`). */
  getSubmodule(path: string): AnyModule;
  getSubmodule<M extends AnyModule>(path: string, type: ModuleClass<M>): M;
  getSubmodule<M extends AnyModule>(path: string, type?: ModuleClass<M>): AnyModule {
    let m: AnyModule = this;
    if (path) {
      for (const part of path.split('.')) {
        const c: AnyModule | null | undefined = m._modules.get(part);
        if (!c) throw new Error(`${m.constructor.name} has no child '${part}' (in path '${path}')`);
        m = c;
      }
    }
    return type === undefined ? m : checkClass(m, type, `${this.constructor.name}.getSubmodule('${path}')`);
  }

  // ---- modes ----
  train(on = true): this {
    for (const m of this.modules()) m.training = on;
    return this;
  }
  eval(): this { return this.train(false); }

  /** Sets requiresGrad on every parameter whose name starts with one of the prefixes (all if none given). */
  freeze(...prefixes: string[]): this { return this.setTrainable(false, prefixes); }
  unfreeze(...prefixes: string[]): this { return this.setTrainable(true, prefixes); }
  private setTrainable(on: boolean, prefixes: string[]): this {
    let matched = 0;
    for (const [n, p] of this.namedParameters()) {
      if (prefixes.length === 0 || prefixes.some((pre) => n === pre || n.startsWith(pre.endsWith('.') ? pre : `${pre}.`))) {
        p.requiresGrad = on;
        matched++;
      }
    }
    if (prefixes.length && matched === 0) throw new Error(`${on ? 'unfreeze' : 'freeze'}: no parameter matches ${prefixes.join(', ')}`);
    return this;
  }
  trainableParameters(): Tensor[] { return this.parameters().filter((p) => p.requiresGrad); }
  numParameters(trainableOnly = false): number {
    return (trainableOnly ? this.trainableParameters() : this.parameters()).reduce((s, p) => s + p.numel(), 0);
  }

  // ---- state dict ----
  /** Parameters and persistent buffers by dotted name, in registration order (the tensors themselves, not copies). */
  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [name, mod] of this.namedModules()) {
      const pre = name ? `${name}.` : '';
      for (const [pn, p] of mod._parameters) if (p) out.set(pre + pn, p);
      for (const [bn, b] of mod._buffers) if (b && !mod._nonPersistent.has(bn)) out.set(pre + bn, b);
    }
    return out;
  }
  /**
   * Copies values into this module's tensors by name. Shapes must match; strict mode
   * throws on missing or unexpected keys, otherwise they are reported.
   */
  loadStateDict(state: Map<string, Tensor> | Record<string, Tensor>, strict = true): LoadResult {
    const src = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const missingKeys = [...own.keys()].filter((k) => !src.has(k));
    const unexpectedKeys = [...src.keys()].filter((k) => !own.has(k));
    if (strict && (missingKeys.length || unexpectedKeys.length)) {
      throw new Error(`loadStateDict: state dict does not match ${this.constructor.name}` +
        (missingKeys.length ? `\n  missing keys: ${missingKeys.join(', ')}` : '') +
        (unexpectedKeys.length ? `\n  unexpected keys: ${unexpectedKeys.join(', ')}` : ''));
    }
    const mismatched: string[] = [];
    for (const [k, dst] of own) {
      const v = src.get(k);
      if (!v) continue;
      const a = dst.shape, b = v.shape;
      if (a.length !== b.length || a.some((d, i) => d !== b[i])) mismatched.push(`${k}: expected [${a}] got [${b}]`);
    }
    if (mismatched.length) throw new Error(`loadStateDict: shape mismatch\n  ${mismatched.join('\n  ')}`);
    noGrad(() => {
      for (const [k, dst] of own) {
        const v = src.get(k);
        if (v) dst.copy_(v);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /**
   * The memory format chosen with `to({ memoryFormat })` (undefined until one is chosen:
   * the trainer then picks one for the device).
   */
  memoryFormat: ModuleToOptions['memoryFormat'];

  /**
   * Moves parameters and buffers to a device or dtype, or re-lays 4-D weights out in a
   * memory format, in place. Parameters keep their identity (like PyTorch's
   * `param.data = ...`), so an optimizer made before still works.
   */
  to(target: string | ModuleToOptions): this {
    if (typeof target === 'string') return this.convert(target);
    if (target === null || typeof target !== 'object') throw new TypeError(`${this.constructor.name}.to: expected a device, a dtype or { device?, dtype?, memoryFormat? }`);
    if (target.device !== undefined) this.convert(target.device);
    if (target.dtype !== undefined) this.convert(target.dtype);
    const fmt = target.memoryFormat;
    if (fmt !== undefined) {
      if (fmt !== 'channels_last' && fmt !== 'contiguous_format') {
        throw new TypeError(`${this.constructor.name}.to: memoryFormat must be 'channels_last' or 'contiguous_format', got '${String(fmt)}'`);
      }
      noGrad(() => {
        for (const mod of this.modules()) {
          for (const p of mod._parameters.values()) if (p && p.ndim === 4 && !p.isContiguous(fmt)) ops.set_data(p, p.contiguous(fmt));
          for (const [n, b] of mod._buffers) if (b && b.ndim === 4 && !b.isContiguous(fmt)) mod._buffers.set(n, keep(b.contiguous(fmt)));
        }
      });
      this.memoryFormat = fmt;
    }
    return this;
  }

  private convert(target: string): this {
    // A dtype converts floating-point tensors only, as in PyTorch: integer buffers such
    // as BatchNorm's num_batches_tracked stay integers.
    const isDevice = isDeviceString(target);
    const converts = (t: Tensor): boolean => isDevice || isFloatingDType(t.dtype);
    noGrad(() => {
      for (const mod of this.modules()) {
        for (const p of mod._parameters.values()) if (p && converts(p)) ops.set_data(p, p.to(target));
        for (const [n, b] of mod._buffers) if (b && converts(b)) mod._buffers.set(n, keep(b.to(target)));
      }
    });
    return this;
  }

  // ---- weight penalties ----
  /**
   * Declares an l1/l2 penalty on a parameter, like Keras' kernel_regularizer; the
   * trainer adds modelPenalty(model), the sum of every module's penalty(), to the loss.
   * A dotted name (`features.0.weight`) declares it on the sub-module that owns the
   * parameter. Declaring again replaces the factors.
   */
  addPenalty(paramName: string, factors: PenaltyFactors): this {
    const dot = paramName.lastIndexOf('.');
    if (dot >= 0) {
      this.getSubmodule(paramName.slice(0, dot)).addPenalty(paramName.slice(dot + 1), factors);
      return this;
    }
    if (!this._parameters.get(paramName)) {
      throw new Error(`${this.constructor.name}.addPenalty: '${paramName}' is not one of its parameters (it has ${[...this._parameters.keys()].join(', ') || 'none'})`);
    }
    if (factors === null || typeof factors !== 'object') throw new TypeError(`${this.constructor.name}.addPenalty: expected { l1?, l2? } for '${paramName}'`);
    const checked: PenaltyFactors = {};
    for (const k of ['l1', 'l2'] as const) {
      const v = factors[k];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new RangeError(`${this.constructor.name}.addPenalty: ${k} of '${paramName}' must be a non-negative number, got ${String(v)}`);
      }
      checked[k] = v;
    }
    this._penalties.set(paramName, checked);
    return this;
  }

  /** Declared penalties of this module and its descendants, by dotted parameter name (a shared module once). */
  *namedPenalties(prefix = ''): Generator<[string, PenaltyFactors]> {
    const seen = new Set<AnyModule>();
    for (const [name, mod] of this.namedModules(prefix)) {
      if (seen.has(mod)) continue;
      seen.add(mod);
      for (const [pn, f] of mod._penalties) yield [name ? `${name}.${pn}` : pn, { ...f }];
    }
  }

  /**
   * This module's own penalty term (its children's are theirs): by default the sum of
   * the penalties declared on its parameters, null when there are none. Override it
   * for a term that is not a per-parameter norm, e.g. an orthogonality constraint.
   */
  penalty(): Tensor | null {
    let total: Tensor | null = null;
    for (const [name, { l1 = 0, l2 = 0 }] of this._penalties) {
      const p = this._parameters.get(name);
      if (!p) throw new Error(`${this.constructor.name}: a penalty is declared on '${name}', which is no longer one of its parameters`);
      if (l1 > 0) total = total ? total.add(p.abs().sum().mul(l1)) : p.abs().sum().mul(l1);
      if (l2 > 0) total = total ? total.add(p.square().sum().mul(l2)) : p.square().sum().mul(l2);
    }
    return total;
  }

  /** Drops every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** One line per layer for summaries; subclasses describe their configuration. */
  extraRepr(): string { return ''; }
  toString(): string {
    const lines = [`${this.constructor.name}(${this.extraRepr()}`];
    const kids = [...this.namedChildren()];
    if (!kids.length) return lines[0] + ')';
    for (const [n, m] of kids) lines.push(`  (${n}): ${m.toString().replace(/\n/g, '\n  ')}`);
    lines.push(')');
    return lines.join('\n');
  }
}

function checkClass<M extends AnyModule>(m: AnyModule, type: ModuleClass<M>, who: string): M {
  if (!(m instanceof type)) throw new TypeError(`${who}: expected ${type.name}, got ${m.constructor.name}`);
  return m;
}

function checkName(name: string, m: AnyModule): void {
  if (!name || name.includes('.')) throw new Error(`${m.constructor.name}: invalid name '${name}' (must be non-empty, without '.')`);
}
