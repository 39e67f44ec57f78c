import yargs from 'yargs';
import { checkCommand } from './check.js';
import { compareCommand } from './compare.js';
import { diagnoseCommand } from './diagnose.js';
import { exportCommand } from './export.js';
import { inspectCommand } from './inspect.js';
import { watchCommand } from './watch.js';
import type { CommandModule } from './command.js';

const commands: CommandModule[] = [exportCommand, inspectCommand, diagnoseCommand, checkCommand, compareCommand, watchCommand];

/** Runs the CLI; resolves to the process exit code (0 ok, 1 findings/damage with --strict, 2 usage or unreadable input). */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  // yargs still calls the command handler after reporting a validation failure: it must not run then.
  let failed = false;
  let parser = yargs(argv)
    .scriptName('tblens')
    .strict()
    .demandCommand(1, 'Name a command: tblens <command> --help')
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      if (error) throw error;
      process.stderr.write(`tblens: ${message}\n  (see tblens --help)\n`);
      exitCode = 2;
      failed = true;
    });
  for (const c of commands) {
    parser = parser.command(c.command, c.describe, c.builder, async (args) => {
      if (failed) return;
      exitCode = await c.run(args);
    });
  }
  try {
    await parser.parseAsync();
  } catch (error) {
    const io = outputFailure(error);
    if (io === undefined) throw error;
    // A reader that went away (`tblens export … | head`) is not an error of ours.
    if (io === 'EPIPE') return exitCode;
    process.stderr.write(`tblens: ${io}\n`);
    return 2;
  }
  return exitCode;
}

/** A failed write of our output (missing directory, full disk, closed pipe) as one line; undefined for anything else (a bug). */
function outputFailure(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException;
  if (!e || typeof e.code !== 'string') return undefined;
  if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return 'EPIPE';
  if (e.syscall !== 'open' && e.syscall !== 'write') return undefined;
  return `${e.path ?? 'output'}: cannot write the output (${e.code})`;
}
