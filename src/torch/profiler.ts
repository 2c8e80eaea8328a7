// Where the time goes: libtorch's profiler records every operator the dispatcher runs
// (forward, backward and optimizer alike) with its input shapes; this pairs the records
// into per-operator self and total times, like torch.profiler's key_averages().
import { native as N } from './native.js';

export interface OperatorStats {
  name: string;
  /** Input shapes, one bracket per tensor argument ('' when not recorded). */
  shapes: string;
  calls: number;
  /** Time inside the operator itself, its child operators excluded (microseconds). */
  selfUs: number;
  /** Time from entry to exit, child operators included (microseconds). */
  totalUs: number;
}

export interface ProfileResult {
  /** One row per operator name and input shapes, most self time first. */
  operators: OperatorStats[];
  /** Sum of the top-level operators' times (microseconds). */
  totalUs: number;
  /** A printable table of the `limit` rows with the most self time. */
  table(limit?: number): string;
}

export interface ProfileOptions {
  /** Record input shapes and group by them (default true). */
  recordShapes?: boolean;
}

function formatShapes(shapes: number[][]): string {
  return shapes.filter((s) => s.length > 0).map((s) => `[${s.join(', ')}]`).join(' ');
}

interface Open { name: string; shapes: string; start: number; handle: number; childUs: number }

/** Turns the addon's push/pop records into per-operator statistics. */
export function summarizeEvents(events: readonly [string, string, number, number, number, number[][]][]): ProfileResult {
  const stacks = new Map<number, Open[]>();
  const byKey = new Map<string, OperatorStats>();
  let totalUs = 0;
  for (const [kind, name, thread, handle, time, shapes] of events) {
    let stack = stacks.get(thread);
    if (!stack) stacks.set(thread, (stack = []));
    if (kind === 'push') {
      stack.push({ name, shapes: formatShapes(shapes), start: time, handle, childUs: 0 });
    } else if (kind === 'pop') {
      let at = stack.length - 1;
      while (at >= 0 && stack[at]!.handle !== handle) at--;
      if (at < 0) continue;
      const [open] = stack.splice(at, stack.length - at);
      const total = time - open!.start;
      const parent = stack[stack.length - 1];
      if (parent) parent.childUs += total;
      else totalUs += total;
      const key = `${open!.name}\u0000${open!.shapes}`;
      let row = byKey.get(key);
      if (!row) byKey.set(key, (row = { name: open!.name, shapes: open!.shapes, calls: 0, selfUs: 0, totalUs: 0 }));
      row.calls++;
      row.totalUs += total;
      row.selfUs += total - open!.childUs;
    }
  }
  const operators = [...byKey.values()].sort((a, b) => b.selfUs - a.selfUs);
  return { operators, totalUs, table: (limit = 20) => formatTable(operators.slice(0, limit), totalUs) };
}

function formatTable(rows: readonly OperatorStats[], totalUs: number): string {
  const ms = (us: number) => (us / 1000).toFixed(2);
  const header = ['operator', 'self ms', 'self %', 'total ms', 'calls', 'input shapes'];
  const body = rows.map((r) => [r.name, ms(r.selfUs), `${((100 * r.selfUs) / (totalUs || 1)).toFixed(1)}%`, ms(r.totalUs), String(r.calls), r.shapes]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), `total (top-level operators): ${ms(totalUs)} ms`].join('\n');
}

/** Starts recording (for callers that cannot wrap the work in one function, such as a callback). */
export function profilerStart(recordShapes = true): void {
  N.profilerStart(recordShapes);
}

/** Stops recording and returns the raw records for summarizeEvents(). */
export function profilerStop(): ReturnType<typeof N.profilerStop> {
  return N.profilerStop();
}

/**
 * Runs fn under libtorch's profiler and returns its result with the operator statistics.
 * The profiler is per thread: it sees what this thread dispatches (libtorch's own worker
 * threads run inside those operators and are counted in them).
 */
export async function profile<T>(fn: () => T | Promise<T>, opts: ProfileOptions = {}): Promise<{ result: T; profile: ProfileResult }> {
  N.profilerStart(opts.recordShapes ?? true);
  let events: ReturnType<typeof N.profilerStop> | undefined;
  try {
    const result = await fn();
    events = N.profilerStop();
    return { result, profile: summarizeEvents(events) };
  } finally {
    if (!events) N.profilerStop();
  }
}
