import { closest, optionFlags, recordSpec, scanArgs } from './argv.js';
import { COMMANDS } from './commands.js';
import type { CommandModule } from './command.js';
import { commandHelp, commandList, globalHelp } from './help.js';
import { toolVersion } from '../analyze/tool.js';
import { say, stdoutColumns, writeStdout } from '../report/terminal.js';

/** Runs the CLI; resolves to the process exit code (0 ok, 1 findings/damage with --strict, 2 usage or unreadable input). */
export async function main(argv: string[]): Promise<number> {
  // Version, help and typos are answered before any command module or yargs is loaded (#16: start time).
  // `tblens help diagnose` is `tblens diagnose --help`.
  if (argv[0] === 'help' && COMMANDS.some((c) => c.name === argv[1])) return main([argv[1], '--help']);
  const first = argv[0];
  if (first === undefined) return (writeStdout(commandList(COMMANDS)), 0);
  if (first === '--version' || first === '-v') return (writeStdout(`${toolVersion()}\n`), 0);
  if (first === '--help' || first === '-h' || first === 'help') return (writeStdout(globalHelp(COMMANDS)), 0);
  const entry = COMMANDS.find((c) => c.name === first);
  if (entry === undefined) {
    const isFlag = first.startsWith('-');
    const guess = isFlag
      ? closest(first, ['--help', '--version'])
      : closest(
          first,
          COMMANDS.map((c) => c.name),
        );
    say(`unknown ${isFlag ? 'option' : 'command'} ${first}${guess ? `: did you mean ${guess}?` : ''} (see tblens --help)`);
    return 2;
  }
  const command = await entry.load();
  const spec = recordSpec(command.builder);
  const scanned = scanArgs(argv.slice(1), spec);
  const usage = Array.isArray(command.command) ? command.command[0] : command.command;
  if (scanned.help) return (writeStdout(commandHelp(entry, usage, command.describe, spec)), 0);
  const seeHelp = `(see tblens ${entry.name} --help)`;
  if (scanned.unknown.length > 0) {
    const typed = scanned.unknown[0];
    const guess = closest(typed, optionFlags(spec));
    say(`${entry.name}: unknown option ${typed}${guess ? `: did you mean ${guess}?` : ''} ${seeHelp}`);
    return 2;
  }
  return runCommand(entry.name, command, scanned.argv, seeHelp);
}

/** Parses the command's arguments with yargs (types, choices, required paths) and runs it. */
async function runCommand(name: string, command: CommandModule, args: string[], seeHelp: string): Promise<number> {
  const { default: yargs } = await import('yargs');
  let exitCode = 0;
  // yargs still calls the command handler after reporting a validation failure: it must not run then.
  let failed = false;
  const parser = yargs([name, ...args])
    .scriptName('tblens')
    .strict()
    .help(false)
    .version(false)
    .wrap(Math.min(110, stdoutColumns() || 100))
    .fail((message, error) => {
      if (error) throw error;
      say(`${name}: ${message} ${seeHelp}`);
      exitCode = 2;
      failed = true;
    })
    .command(command.command, command.describe, command.builder, async (parsed) => {
      if (failed) return;
      exitCode = await command.run(parsed);
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    // Whatever failed, no half-written temporary output stays behind (imported here: --version need not load it).
    (await import('../report/output.js')).removeLiveTemps();
    const io = outputFailure(error);
    if (io === undefined) throw error;
    // A reader that went away (`tblens export … | head`) is not an error of ours.
    if (io === 'EPIPE') return exitCode;
    say(io);
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
