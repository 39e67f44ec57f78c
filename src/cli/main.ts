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
  await parser.parseAsync();
  return exitCode;
}
