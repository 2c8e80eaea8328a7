// Memory scopes: tidy(fn) frees every tensor created inside fn except those it returns
// (and those passed to keep()). Tensors created outside any scope are freed by dispose(),
// `using`, or the garbage collector.
//
// Two kinds of scope. A sync scope (tidy) cannot be interleaved with other code, so the
// innermost one is a module variable: tracking a tensor is one comparison and a push,
// which matters because every tensor passes through track(). An async scope (tidyAsync)
// lives across awaits while other code runs, so it follows its own continuations through
// AsyncLocalStorage; the storage is only consulted, and its promise hooks only enabled,
// while at least one async scope is open.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Disposable { dispose(): void; isDisposed: boolean }

class Scope {
  readonly tensors: Disposable[] = [];
  closed = false;
  constructor(readonly parent: Scope | null) {}
}

/** The innermost open sync scope; sync scopes always close before control leaves them. */
let current: Scope | null = null;
/** Async scopes open now; when 0, nothing asks asyncScopes for its store. */
let openAsync = 0;
const asyncScopes = new AsyncLocalStorage<Scope | undefined>();
const kept = new WeakSet<object>();

/** The async scope whose continuation is running, if it is still open. */
function asyncScope(): Scope | null {
  const s = asyncScopes.getStore();
  return s !== undefined && !s.closed ? s : null;
}

function innermost(): Scope | null {
  if (current !== null) return current;
  return openAsync !== 0 ? asyncScope() : null;
}

export function track(t: Disposable): void {
  if (current !== null) current.tensors.push(t);
  else if (openAsync !== 0) asyncScope()?.tensors.push(t);
}

/** Excludes a tensor from the enclosing scopes' clean-up. */
export function keep<T extends object>(t: T): T {
  kept.add(t);
  return t;
}

/**
 * Hands a tensor made outside every scope (see untracked) to the innermost scope open
 * where adopt is called, which then frees it like the tensors it created.
 */
export function adopt<T extends Disposable>(t: T): T {
  if (!kept.has(t)) track(t);
  return t;
}

/**
 * Runs fn outside every scope, sync or async: what it creates belongs to no scope,
 * including what its callbacks (timers, promises) create later. The caller owns it.
 */
export function untracked<T>(fn: () => T): T {
  const saved = current;
  current = null;
  try {
    return openAsync !== 0 ? asyncScopes.run(undefined, fn) : fn();
  } finally {
    current = saved;
  }
}

function collect(value: unknown, into: Set<object>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 8) return;
  if (typeof (value as Disposable).dispose === 'function' && 'isDisposed' in (value as object)) {
    into.add(value as object);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, into, depth + 1);
  else if (value instanceof Map) for (const v of value.values()) collect(v, into, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, into, depth + 1);
}

/** Frees the scope's tensors except the returned and kept ones; returned ones move to the parent if it is still open. */
function close(scope: Scope, result: unknown): void {
  scope.closed = true;
  const returned = new Set<object>();
  collect(result, returned);
  const parent = scope.parent !== null && !scope.parent.closed ? scope.parent : null;
  for (const t of scope.tensors) {
    if (returned.has(t) || kept.has(t)) {
      if (parent !== null && !kept.has(t)) parent.tensors.push(t);
    } else if (!t.isDisposed) {
      t.dispose();
    }
  }
}

/** Runs fn and frees the tensors it created, except those in its result (arrays and plain objects are searched). */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError('tidy: expected a function');
  const parent = current ?? (openAsync !== 0 ? asyncScope() : null);
  const saved = current;
  const scope = new Scope(parent);
  current = scope;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    current = saved;
    close(scope, undefined);
    throw e;
  }
  current = saved;
  if (result instanceof Promise) {
    close(scope, undefined);
    throw new TypeError('tidy: fn returned a Promise; use tidyAsync for async functions');
  }
  close(scope, result);
  return result;
}

/**
 * Async form of tidy: frees the tensors created by fn and by its continuations (after
 * its awaits, in the promises and timers it starts) once fn settles, except those it
 * returns, which move to the enclosing scope. Concurrent tidyAsync calls each keep their
 * own tensors, however their awaits interleave; a tidy inside fn nests in its scope.
 * Work fn leaves running after it settles creates tensors that belong to no scope.
 */
export async function tidyAsync<T>(fn: () => Promise<T>): Promise<T> {
  if (typeof fn !== 'function') throw new TypeError('tidyAsync: expected a function');
  const scope = new Scope(innermost());
  const saved = current;
  current = null; // fn's synchronous start belongs to this scope, not to a tidy around the call
  openAsync++;
  try {
    let pending: Promise<T>;
    try {
      pending = asyncScopes.run(scope, fn);
    } finally {
      current = saved;
    }
    const result = await pending;
    close(scope, result);
    return result;
  } catch (e) {
    close(scope, undefined);
    throw e;
  } finally {
    scope.tensors.length = 0; // continuations that outlive the scope may still reference it
    // With no async scope open, the storage's promise hooks are switched off again.
    if (--openAsync === 0) asyncScopes.disable();
  }
}

/** Number of tensors tracked by the innermost open scope (for tests and leak checks). */
export function scopeSize(): number {
  const s = innermost();
  return s === null ? 0 : s.tensors.length;
}
