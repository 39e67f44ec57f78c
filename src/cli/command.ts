import type { Argv } from 'yargs';
import { outputIsInput } from '../report/output.js';
import { progressLine, type Progress } from '../report/progress.js';
import { say, stderr } from '../report/terminal.js';

/** A CLI command: yargs options, and a run function that returns the exit code. */
export interface CommandModule {
  command: string | string[];
  describe: string;
  // Each command's builder and run have their own parsed-argument type; this one shape holds them all.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  builder: (y: Argv) => Argv<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  run: (args: any) => Promise<number>;
}

/** A one-line message on stderr, sanitised (`say` is the one writer; this name is kept for the commands). */
export function stderrLine(text: string): void {
  say(text);
}

/** A progress line on stderr for slow work (drawn only on a terminal, outside CI, after ~1 s); `end()` it before other stderr output. */
export function stderrProgress(): Progress {
  return progressLine(stderr, { env: process.env });
}

/**
 * `-o` naming a file the command reads (an event file, a LoRA) would destroy the input: refused with
 * one line (the caller exits 2). True when refused.
 */
export async function refuseOutputOverInput(output: string | undefined, inputs: Iterable<string>): Promise<boolean> {
  const hit = await outputIsInput(output, inputs);
  if (hit === undefined) return false;
  say(`-o ${output}: that is one of the inputs (${hit}); refusing to overwrite it`);
  return true;
}

/** A user-supplied regular expression, or a usage error naming the option. */
export function parseRegex(option: string, source: string | undefined): RegExp | undefined | { error: string } {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch (e) {
    return { error: `--${option}: not a valid regular expression (${(e as Error).message})` };
  }
}
