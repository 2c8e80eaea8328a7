// Module: the base of every layer and model. Parameters, buffers and children live in
// ordered registries so that state-dict names follow PyTorch's (`features.0.weight`,
// `bn.running_mean`) and weights move between visionlab, PyTorch and torchvision.
import { Tensor, noGrad, keep, ops, isFloatingDType } from '../torch/index.js';

export interface LoadResult { missingKeys: string[]; unexpectedKeys: string[] }

/** Sees (and may replace, by returning a value) a module's output after every call. */
export type ForwardHook = (module: Module, inputs: unknown[], output: any) => unknown;
/** Removes a hook; callable directly or as `.remove()` like PyTorch's handle. */
export type RemoveHook = (() => void) & { remove(): void };

export class Module {
  training = true;
  private readonly _parameters = new Map<string, Tensor | null>();
  private readonly _buffers = new Map<string, Tensor | null>();
  private readonly _nonPersistent = new Set<string>();
  private readonly _modules = new Map<string, Module | null>();
  private readonly _forwardHooks = new Map<number, ForwardHook>();
  private _nextHookId = 0;

  /** Subclasses implement the computation. */
  forward(..._inputs: any[]): any {
    throw new Error(`${this.constructor.name}.forward is not implemented`);
  }

  /** Calls forward, then the forward hooks (the equivalent of PyTorch's `module(x)`). */
  call(...inputs: any[]): any {
    let output = this.forward(...inputs);
    if (this._forwardHooks.size === 0) return output;
    for (const hook of [...this._forwardHooks.values()]) {
      const replaced = hook(this, inputs, output);
      if (replaced !== undefined) output = replaced;
    }
    return output;
  }

  /** Runs fn after every call of this module (summaries, feature extraction, activation statistics). */
  registerForwardHook(fn: ForwardHook): RemoveHook {
    if (typeof fn !== 'function') throw new TypeError(`${this.constructor.name}.registerForwardHook: expected a function`);
    const id = this._nextHookId++;
    this._forwardHooks.set(id, fn);
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
  registerModule<M extends Module | null>(name: string, m: M): M {
    checkName(name, this);
    this._modules.set(name, m);
    return m;
  }
  /** Replaces a registered parameter, buffer or child (e.g. a new classification head). */
  setAttr(name: string, value: Tensor | Module | null): void {
    if (this._modules.has(name)) this._modules.set(name, value as Module | null);
    else if (this._parameters.has(name)) this._parameters.set(name, value as Tensor | null);
    else if (this._buffers.has(name)) this._buffers.set(name, value as Tensor | null);
    else throw new Error(`${this.constructor.name} has no parameter, buffer or child named '${name}'`);
  }
  getParameter(name: string): Tensor | null | undefined { return this._parameters.get(name); }
  getBuffer(name: string): Tensor | null | undefined { return this._buffers.get(name); }
  getModule(name: string): Module | null | undefined { return this._modules.get(name); }

  // ---- traversal ----
  *namedChildren(): Generator<[string, Module]> {
    for (const [n, m] of this._modules) if (m) yield [n, m];
  }
  children(): Module[] { return [...this.namedChildren()].map(([, m]) => m); }
  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [n, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${n}` : n);
  }
  modules(): Module[] { return [...this.namedModules()].map(([, m]) => m); }
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
  /** Sub-module by dotted path, e.g. `layer1.0.conv1`. */
  getSubmodule(path: string): Module {
    let m: Module = this;
    if (!path) return m;
    for (const part of path.split('.')) {
      const c = m._modules.get(part);
      if (!c) throw new Error(`${m.constructor.name} has no child '${part}' (in path '${path}')`);
      m = c;
    }
    return m;
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
   * Moves parameters and buffers to a device or dtype in place. Parameters keep their
   * identity (like PyTorch's `param.data = ...`), so an optimizer made before still works.
   */
  to(target: string): this {
    // A dtype converts floating-point tensors only, as in PyTorch: integer buffers such
    // as BatchNorm's num_batches_tracked stay integers.
    const isDevice = /^(cpu|cuda|mps|meta)(:\d+)?$/.test(target);
    const converts = (t: Tensor): boolean => isDevice || isFloatingDType(t.dtype);
    noGrad(() => {
      for (const mod of this.modules()) {
        for (const p of mod._parameters.values()) if (p && converts(p)) ops.set_data(p, p.to(target));
        for (const [n, b] of mod._buffers) if (b && converts(b)) mod._buffers.set(n, keep(b.to(target)));
      }
    });
    return this;
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

function checkName(name: string, m: Module): void {
  if (!name || name.includes('.')) throw new Error(`${m.constructor.name}: invalid name '${name}' (must be non-empty, without '.')`);
}
