import type { Argv } from 'yargs';

/** A CLI command: yargs options, and a run function that returns the exit code. */
export interface CommandModule {
  command: string | string[];
  describe: string;
  builder: (y: Argv) => Argv<any>;
  run: (args: any) => Promise<number>;
}

export function stderrLine(text: string): void {
  process.stderr.write(`tblens: ${text}\n`);
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
