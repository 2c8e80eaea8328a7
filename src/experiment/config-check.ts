// Small checkers for hand-written config files. Every error names the field by its path
// in the file (config.optimizer.lr) and says what would have been accepted, because the
// person reading it is editing YAML, not TypeScript.

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Path = string;

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return `a list [${v.map(show).join(', ')}]`;
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}

export function fail(path: Path, message: string): never {
  throw new ConfigError(`${path}: ${message}`);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** An object whose keys are all among `allowed`; unknown keys are rejected (typos otherwise pass silently). */
export function object(v: unknown, path: Path, allowed: readonly string[]): Record<string, unknown> {
  if (!isObject(v)) fail(path, `expected an object with keys ${allowed.join(', ')}, got ${show(v)}`);
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) fail(`${path}.${k}`, `unknown key (allowed keys: ${allowed.join(', ')})`);
  }
  return v;
}

export function oneOf<T extends string>(v: unknown, path: Path, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) fail(path, `${show(v)} is not one of ${allowed.join(', ')}`);
  return v as T;
}

export interface NumberRule {
  integer?: boolean;
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Exclusive bounds. */
  above?: number;
  below?: number;
}

function describeRange(r: NumberRule): string {
  const parts: string[] = [];
  if (r.min !== undefined) parts.push(`>= ${r.min}`);
  if (r.above !== undefined) parts.push(`> ${r.above}`);
  if (r.max !== undefined) parts.push(`<= ${r.max}`);
  if (r.below !== undefined) parts.push(`< ${r.below}`);
  return `${r.integer ? 'an integer' : 'a number'}${parts.length ? ' ' + parts.join(' and ') : ''}`;
}

export function number(v: unknown, path: Path, rule: NumberRule = {}): number {
  const ok = typeof v === 'number' && Number.isFinite(v) &&
    (!rule.integer || Number.isInteger(v)) &&
    (rule.min === undefined || v >= rule.min) && (rule.max === undefined || v <= rule.max) &&
    (rule.above === undefined || v > rule.above) && (rule.below === undefined || v < rule.below);
  if (!ok) fail(path, `expected ${describeRange(rule)}, got ${show(v)}`);
  return v as number;
}

export function string(v: unknown, path: Path): string {
  if (typeof v !== 'string' || v.length === 0) fail(path, `expected a non-empty string, got ${show(v)}`);
  return v;
}

export function boolean(v: unknown, path: Path): boolean {
  if (typeof v !== 'boolean') fail(path, `expected true or false, got ${show(v)}`);
  return v;
}

export function list(v: unknown, path: Path): unknown[] {
  if (!Array.isArray(v)) fail(path, `expected a list, got ${show(v)}`);
  return v;
}

/** Applies check only when the value is present. */
export function optional<T>(v: unknown, check: (v: unknown) => T): T | undefined {
  return v === undefined || v === null ? undefined : check(v);
}

/** A number, or a list of numbers of one of the given lengths. */
export function numberOrTuple(v: unknown, path: Path, lengths: readonly number[], rule: NumberRule = {}): number | number[] {
  if (Array.isArray(v)) {
    if (!lengths.includes(v.length)) fail(path, `expected a number or a list of ${lengths.join(' or ')} numbers, got ${show(v)}`);
    return v.map((x, i) => number(x, `${path}[${i}]`, rule));
  }
  return number(v, path, rule);
}
