// Argument parsing shared by the commands: node:util parseArgs in strict mode, with
// mistakes reported as UsageError (exit code 2, no stack trace).
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<void>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  help: boolean;
}

export function parseCommandArgs(command: string, argv: string[], options: Options): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
    });
    const v = values as Record<string, string | boolean | undefined>;
    return { values: v, positionals, help: v.help === true };
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message} (see visionlab ${command} --help)`);
  }
}

export function positiveInt(value: string | boolean | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < 1) throw new UsageError(`${flag} must be a positive integer, got '${String(value)}'`);
  return n;
}

export function str(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
