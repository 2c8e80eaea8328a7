// Containers: Sequential chains modules; ModuleList only holds them (for models whose
// forward decides the order). Children are named '0', '1', ... as in PyTorch, so state
// dict keys read `features.0.weight`.
import { Module } from '../module.js';

function checkModule(m: unknown, who: string, at: string): asserts m is Module {
  if (!(m instanceof Module)) {
    const got = m === null ? 'null' : typeof m === 'object' ? (m as object).constructor?.name ?? 'object' : typeof m;
    throw new TypeError(`${who}: ${at} is not a Module (got ${got})`);
  }
}

abstract class IndexedContainer extends Module {
  get length(): number { return this.children().length; }

  /** The i-th child; negative i counts from the end. */
  at(i: number): Module {
    const kids = this.children();
    const k = i < 0 ? kids.length + i : i;
    if (!Number.isInteger(k) || k < 0 || k >= kids.length) {
      throw new RangeError(`${this.constructor.name}: index ${i} out of range (length ${kids.length})`);
    }
    return kids[k]!;
  }

  /** Appends a child named by its position. */
  add(module: Module): this {
    checkModule(module, this.constructor.name, `argument to add()`);
    const name = String(this.length);
    if (this.getModule(name) !== undefined) throw new Error(`${this.constructor.name}: a child is already named '${name}'`);
    this.registerModule(name, module);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> { return this.children()[Symbol.iterator](); }
}

/** Feeds each child's output to the next. */
export class Sequential extends IndexedContainer {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      checkModule(m, 'Sequential', `argument ${i}`);
      this.add(m);
    });
  }

  /** A Sequential with named children (`Sequential.fromEntries([['conv', c], ['relu', r]])`). */
  static fromEntries(entries: Iterable<readonly [string, Module]>): Sequential {
    const s = new Sequential();
    for (const [name, m] of entries) {
      checkModule(m, 'Sequential.fromEntries', `entry '${name}'`);
      if (s.getModule(name) !== undefined) throw new Error(`Sequential.fromEntries: duplicate name '${name}'`);
      s.registerModule(name, m);
    }
    return s;
  }

  override forward(x: unknown): any {
    let out = x;
    for (const m of this.children()) out = m.call(out);
    return out;
  }
}

/** Holds modules so that their parameters are registered; has no forward of its own. */
export class ModuleList extends IndexedContainer {
  constructor(modules: Iterable<Module> = []) {
    super();
    let i = 0;
    for (const m of modules) {
      checkModule(m, 'ModuleList', `element ${i++}`);
      this.add(m);
    }
  }
}
