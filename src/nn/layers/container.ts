// Containers: Sequential chains modules; ModuleList only holds them (for models whose
// forward decides the order). Children are named '0', '1', ... as in PyTorch, so state
// dict keys read `features.0.weight`.
import type { Tensor } from '../../torch/index.js';
import { Module, type AnyModule } from '../module.js';

function checkModule(m: unknown, who: string, at: string): asserts m is AnyModule {
  if (!(m instanceof Module)) {
    const got = m === null ? 'null' : typeof m === 'object' ? (m as object).constructor?.name ?? 'object' : typeof m;
    throw new TypeError(`${who}: ${at} is not a Module (got ${got})`);
  }
}

/** Children of type M named '0', '1', ...; In and Out are the container's own call signature. */
abstract class IndexedContainer<M extends AnyModule, In extends unknown[], Out> extends Module<In, Out> {
  get length(): number { return this.children().length; }

  // Children enter through add() and the constructors, which take Ms only, or through
  // setAttr (a swapped head), which is the caller's promise to keep the element type.
  protected items(): M[] { return this.children() as M[]; }

  /** The i-th child; negative i counts from the end. */
  at(i: number): M {
    const kids = this.items();
    const k = i < 0 ? kids.length + i : i;
    if (!Number.isInteger(k) || k < 0 || k >= kids.length) {
      throw new RangeError(`${this.constructor.name}: index ${i} out of range (length ${kids.length})`);
    }
    return kids[k]!;
  }

  /** Appends a child named by its position. */
  add(module: M): this {
    checkModule(module, this.constructor.name, `argument to add()`);
    const name = String(this.length);
    if (this.getModule(name) !== undefined) throw new Error(`${this.constructor.name}: a child is already named '${name}'`);
    this.registerModule(name, module);
    return this;
  }

  [Symbol.iterator](): Iterator<M> { return this.items()[Symbol.iterator](); }
}

/** Feeds each child's output to the next: every child maps a Tensor to a Tensor, and so does the Sequential. */
export class Sequential extends IndexedContainer<Module, [Tensor], Tensor> {
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

  override forward(x: Tensor): Tensor {
    let out = x;
    for (const m of this.items()) out = m.call(out);
    return out;
  }
}

/**
 * Holds modules so that their parameters are registered; has no forward of its own
 * (calling it is an error). M types its elements, e.g. `ModuleList<Linear>`.
 */
export class ModuleList<M extends AnyModule = AnyModule> extends IndexedContainer<M, [], never> {
  constructor(modules: Iterable<M> = []) {
    super();
    let i = 0;
    for (const m of modules) {
      checkModule(m, 'ModuleList', `element ${i++}`);
      this.add(m);
    }
  }
}
