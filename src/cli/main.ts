#!/usr/bin/env -S node --single-threaded-gc
// The visionlab command line: `visionlab <command> [options]`. Mistakes in the command
// line or a config file exit with code 2 and one clear message; other failures exit 1.
// Node runs it with --single-threaded-gc: V8's helper threads would otherwise take a core
// from an OpenMP thread, which stalls every thread of the operator (README, Threads).
import { ConfigError } from '../experiment/index.js';
import { UsageError, type Command } from './args.js';
import { trainCommand } from './train.js';
import { evalCommand } from './eval.js';
import { predictCommand } from './predict.js';
import { compareCommand } from './compare.js';
import { quickstartCommand } from './quickstart.js';
import { modelsCommand } from './models.js';
import { serveCommand } from './serve.js';
import { exportCommand } from './export.js';
import { denoiseCommand } from './denoise.js';
import { attackCommand } from './attack.js';
import { explainCommand } from './explain.js';
import { makeScenesCommand } from './make-scenes.js';
import { labelIssuesCommand } from './label-issues.js';

const COMMANDS: Command[] = [
  trainCommand, evalCommand, predictCommand, compareCommand, quickstartCommand, modelsCommand,
  serveCommand, exportCommand, denoiseCommand, attackCommand, explainCommand, makeScenesCommand, labelIssuesCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `usage: visionlab <command> [options]

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'visionlab <command> --help' for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    await command.run(rest);
    return 0;
  } catch (e) {
    const err = e as Error;
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`visionlab: ${err.message}`);
      return 2;
    }
    console.error(`visionlab ${name}: ${err?.message ?? String(e)}`);
    if (process.env.VISIONLAB_DEBUG) console.error(err?.stack);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
