import type { Argv } from 'yargs';
import { nearestKey } from '../lint/suggest.js';

/** One option or positional as a command's builder declares it (the subset of yargs' options we use). */
export interface OptionSpec {
  name: string;
  type?: string;
  array?: boolean;
  choices?: readonly unknown[];
  default?: unknown;
  describe?: string;
  alias?: string | string[];
}

export interface CommandSpec {
  positionals: OptionSpec[];
  options: OptionSpec[];
}

/**
 * Runs a command's yargs builder against a recorder instead of yargs, so help, typo checks and the
 * argument order can be worked out without loading yargs (most of the start time of `--help`).
 */
export function recordSpec(builder: (y: Argv) => unknown): CommandSpec {
  const spec: CommandSpec = { positionals: [], options: [] };
  const recorder: Record<string, unknown> = new Proxy(
    {},
    {
      get: (_target, key) => {
        if (key === 'positional') return (name: string, o: object) => (spec.positionals.push({ name, ...o }), recorder);
        if (key === 'option' || key === 'options') return (name: string, o: object) => (spec.options.push({ name, ...o }), recorder);
        // Anything else a builder might chain (`.check`, `.conflicts`, …) is no option: ignored.
        return () => recorder;
      },
    },
  );
  builder(recorder as unknown as Argv);
  return spec;
}

/** Every spelling of an option on the command line: its name, aliases, and camelCase forms (yargs accepts those). */
function spellings(o: OptionSpec): string[] {
  const names = [o.name, ...(o.alias === undefined ? [] : Array.isArray(o.alias) ? o.alias : [o.alias])];
  return names.flatMap((n) => [n, n.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())]);
}

function findOption(spec: CommandSpec, name: string): OptionSpec | undefined {
  return spec.options.find((o) => spellings(o).includes(name));
}

/**
 * The closest candidate within a third of the word's length (at least 1 edit), or undefined when none is
 * that close: lint's "did you mean" for config keys (optimal string alignment, so a swapped pair of
 * letters such as `wieghts` is one edit), here for commands and options.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  return nearestKey(word, candidates, Infinity);
}

export interface ScannedArgs {
  /** The arguments to hand to yargs, with early array options moved after the paths, bound to their one value. */
  argv: string[];
  /** Options the command does not have, as typed (`--wieghts`). */
  unknown: string[];
  help: boolean;
}

/**
 * One pass over a command's arguments (after the command name), before yargs sees them.
 *
 * The order rule (README, "--weights"): an array option (`--weights`, `--batch`) given *before* the
 * first path takes exactly one value, so `tblens diagnose --weights output/ logs/` means weights
 * `output/` and path `logs/`; more folders before the paths are written `--weights a --weights b`.
 * After the first path an array option takes every value up to the next option, as yargs does:
 * `tblens diagnose logs/ --weights a b` gives two folders. `--name=value` is always one value, and
 * everything after `--` is a path. (yargs' arrays are greedy even as `--weights=a`, so an early one
 * is moved to the end, before any `--`, as `--weights=a`.)
 *
 * Also finds `--help`/`-h` and options the command does not have (for "did you mean").
 */
export function scanArgs(args: string[], spec: CommandSpec): ScannedArgs {
  const argv: string[] = [];
  const early: string[] = [];
  const unknown: string[] = [];
  let help = false;
  let sawPath = false;
  for (let i = 0; i < args.length; i++) {
    const token = args[i];
    if (token === '--') {
      argv.push(...early, ...args.slice(i));
      return { argv, unknown, help };
    }
    if (!isFlag(token)) {
      sawPath = true;
      argv.push(token);
      continue;
    }
    const [flag, inline] = splitFlag(token);
    if (flag === 'help' || flag === 'h') {
      help = true;
      continue;
    }
    // `-ofile` is `-o file` to yargs: a short option with its value attached.
    const short = token.startsWith('--') || flag.length < 2 ? undefined : findOption(spec, flag[0]);
    if (short !== undefined && short.type !== 'boolean') {
      argv.push(token);
      continue;
    }
    const negated = flag.startsWith('no-') ? findOption(spec, flag.slice(3)) : undefined;
    const option = findOption(spec, flag) ?? (negated?.type === 'boolean' ? negated : undefined);
    if (option === undefined) unknown.push(token.split('=')[0]);
    if (option?.array && !sawPath) {
      const value = args[i + 1];
      if (inline !== undefined) early.push(token);
      else if (value !== undefined && !isFlag(value)) {
        early.push(`${token}=${value}`);
        i++;
      } else argv.push(token);
      continue;
    }
    argv.push(token);
    if (option === undefined || inline !== undefined || option.type === 'boolean' || option === negated) continue;
    const value = args[i + 1];
    if (value === undefined || isFlag(value)) continue;
    argv.push(value);
    i++;
  }
  return { argv: [...argv, ...early], unknown, help };
}

/** An option rather than a value: `-x`, `--x`, but not `-` (stdin) or a negative number. */
function isFlag(token: string): boolean {
  return token.startsWith('-') && token !== '-' && !/^-\d/.test(token);
}

/** `--name=value` → [name, value]; `--name` / `-o` → [name, undefined]. */
function splitFlag(token: string): [string, string | undefined] {
  const bare = token.replace(/^--?/, '');
  const eq = bare.indexOf('=');
  return eq < 0 ? [bare, undefined] : [bare.slice(0, eq), bare.slice(eq + 1)];
}

/** The option spellings a "did you mean" may suggest, as typed on a command line. */
export function optionFlags(spec: CommandSpec): string[] {
  return [
    '--help',
    ...spec.options.flatMap((o) =>
      spellings(o)
        .filter((n, k, all) => all.indexOf(n) === k)
        .map((n) => (n.length === 1 ? `-${n}` : `--${n}`)),
    ),
  ];
}
