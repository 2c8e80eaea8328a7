// Memory scopes: tidy(fn) frees every tensor created inside fn except those it returns
// (and those passed to keep()). Tensors created outside any scope are freed by dispose(),
// `using`, or the garbage collector.
export interface Disposable { dispose(): void; isDisposed: boolean }

let current: Disposable[] | null = null;
const kept = new WeakSet<object>();

export function track(t: Disposable): void {
  if (current !== null) current.push(t);
}

/** Excludes a tensor from the enclosing scopes' clean-up. */
export function keep<T extends object>(t: T): T {
  kept.add(t);
  return t;
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

function close(scope: Disposable[], parent: Disposable[] | null, result: unknown): void {
  const returned = new Set<object>();
  collect(result, returned);
  for (const t of scope) {
    if (returned.has(t) || kept.has(t)) {
      if (parent !== null && !kept.has(t)) parent.push(t);
    } else if (!t.isDisposed) {
      t.dispose();
    }
  }
}

/** Runs fn and frees the tensors it created, except those in its result (arrays and plain objects are searched). */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError('tidy: expected a function');
  const parent = current;
  const scope: Disposable[] = [];
  current = scope;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    current = parent;
    close(scope, parent, undefined);
    throw e;
  }
  if (result instanceof Promise) {
    current = parent;
    close(scope, parent, undefined);
    throw new TypeError('tidy: fn returned a Promise; use tidyAsync for async functions');
  }
  current = parent;
  close(scope, parent, result);
  return result;
}

/**
 * Async form: tensors created while fn runs are tracked, including after awaits, so
 * only one tidyAsync should run at a time.
 */
export async function tidyAsync<T>(fn: () => Promise<T>): Promise<T> {
  const parent = current;
  const scope: Disposable[] = [];
  current = scope;
  try {
    const result = await fn();
    close(scope, parent, result);
    return result;
  } catch (e) {
    close(scope, parent, undefined);
    throw e;
  } finally {
    current = parent;
  }
}

/** Number of tensors tracked by the innermost open scope (for tests and leak checks). */
export function scopeSize(): number {
  return current === null ? 0 : current.length;
}
