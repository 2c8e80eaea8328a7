// Building blocks for the config schema, and the formatter from zod's issues to config
// messages. Every message names the field by its path in the file (config.optimizer.lr)
// and says what would have been accepted, because the person reading it is editing YAML,
// not TypeScript. The blocks state a field's rule once: zod checks it and the message
// describes it.
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return `a list [${v.map(show).join(', ')}]`;
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
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

export function describeRange(r: NumberRule): string {
  const parts: string[] = [];
  if (r.min !== undefined) parts.push(`>= ${r.min}`);
  if (r.above !== undefined) parts.push(`> ${r.above}`);
  if (r.max !== undefined) parts.push(`<= ${r.max}`);
  if (r.below !== undefined) parts.push(`< ${r.below}`);
  return `${r.integer ? 'an integer' : 'a number'}${parts.length ? ' ' + parts.join(' and ') : ''}`;
}

/** Message for a required field that is absent, when saying why it is needed helps more than its type. */
interface Hint { missing?: string }

export function expecting(what: string, hint: Hint = {}) {
  return (iss: RawIssue) => (iss.input === undefined && hint.missing ? hint.missing : `expected ${what}, got ${show(iss.input)}`);
}

/** A finite number; a wrong type, a fraction or a value out of range all state the whole rule. */
export function number(rule: NumberRule = {}, hint?: Hint) {
  const error = expecting(describeRange(rule), hint);
  let s = z.number({ error });
  if (rule.integer) s = s.int({ error });
  if (rule.min !== undefined) s = s.gte(rule.min, { error });
  if (rule.max !== undefined) s = s.lte(rule.max, { error });
  if (rule.above !== undefined) s = s.gt(rule.above, { error });
  if (rule.below !== undefined) s = s.lt(rule.below, { error });
  return s;
}

export function string() {
  const error = expecting('a non-empty string');
  // abort: a further check (a pattern) has nothing to add about an empty string.
  return z.string({ error }).min(1, { error, abort: true });
}

export function boolean() {
  return z.boolean({ error: expecting('true or false') });
}

export function list<T extends z.ZodType>(item: T) {
  return z.array(item, { error: expecting('a list') });
}

/** Two numbers, each following rule: `what` names the pair in messages. */
export function pair(rule: NumberRule = {}, what = 'a list of 2 numbers') {
  return z.tuple([number(rule), number(rule)], { error: expecting(what) });
}

/**
 * An object with exactly the keys of its shape: an unknown key is an error naming the key
 * and the allowed ones (typos otherwise pass silently). `expected` describes the object
 * when the value is not one.
 */
export function object<S extends z.ZodRawShape>(shape: S, expected?: string) {
  const keys = Object.keys(shape);
  const wrongType = expecting(expected ?? `an object with keys ${keys.join(', ')}`);
  return z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? unknownKeyMessage(keys) : wrongType(iss)) });
}

export function unknownKeyMessage(allowed: readonly string[]): string {
  return `unknown key (allowed keys: ${allowed.join(', ')})`;
}

/** One of a union's alternatives: `describe` says what the union accepts when the value fits none. */
export function union<const T extends readonly [z.ZodType, z.ZodType, ...z.ZodType[]]>(options: T, describe: (input: unknown) => string) {
  return z.union(options, { error: (iss) => describe(iss.input) });
}

/** Messages for issues no building block described (enums, literals, plain objects). */
export function describeIssue(iss: RawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_value': return `${show(iss.input)} is not one of ${iss.values.join(', ')}`;
    case 'invalid_type': return `expected ${iss.expected === 'object' ? 'an object' : iss.expected === 'array' ? 'a list' : `a ${iss.expected}`}, got ${show(iss.input)}`;
    case 'unrecognized_keys': return 'unknown key';
    default: return undefined;
  }
}

type Path = readonly PropertyKey[];
interface Problem { path: Path; message: string; unknownKey: boolean }

/** A union alternative that failed only on the outer type of the value (a string given to an object alternative). */
function misfit(issues: readonly Issue[]): boolean {
  const first = issues[0];
  return first === undefined || (first.path.length === 0 && (first.code === 'invalid_type' || first.code === 'invalid_value'));
}

function problems(iss: Issue, prefix: Path): Problem[] {
  const path = [...prefix, ...iss.path];
  switch (iss.code) {
    case 'unrecognized_keys':
      return iss.keys.map((k) => ({ path: [...path, k], message: iss.message, unknownKey: true }));
    case 'invalid_union': {
      // The alternative the value was meant for is the one that got past its outer type.
      const meant = iss.errors.find((errs) => !misfit(errs));
      return meant ? meant.flatMap((e) => problems(e, path)) : [{ path, message: iss.message, unknownKey: false }];
    }
    case 'invalid_key':
    case 'invalid_element':
      return iss.issues.flatMap((e) => problems(e, path));
    default:
      return [{ path, message: iss.message, unknownKey: false }];
  }
}

function pathText(root: string, path: Path): string {
  return root + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

const MAX_LINES = 20;

/**
 * One line `path: message` per problem, unknown keys first: a misspelt key usually
 * explains the other errors (the key it was meant to be is then missing).
 */
export function formatIssues(issues: readonly Issue[], root: string): string {
  const all = issues.flatMap((i) => problems(i, []));
  const lines = [...all.filter((p) => p.unknownKey), ...all.filter((p) => !p.unknownKey)]
    .map((p) => `${pathText(root, p.path)}: ${p.message}`)
    .filter((line, i, arr) => arr.indexOf(line) === i);
  if (lines.length > MAX_LINES) return [...lines.slice(0, MAX_LINES), `(and ${lines.length - MAX_LINES} more)`].join('\n');
  return lines.join('\n');
}

/** Parses with schema, or throws a ConfigError listing every problem under root (config, or a file name). */
export function parseWith<T extends z.ZodType>(schema: T, raw: unknown, root: string): z.output<T> {
  const r = schema.safeParse(withoutNulls(raw), { error: describeIssue });
  if (!r.success) throw new ConfigError(formatIssues(r.error.issues, root));
  return r.data;
}

/** YAML writes an empty field (`schedule:`) as null: such a key counts as absent. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
}
