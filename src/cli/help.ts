import type { CommandSpec, OptionSpec } from './argv.js';
import type { CommandEntry } from './commands.js';

// Our own help text rather than yargs': the commands in the user's order, examples, and none of the
// `[array] [required] [default: []]` labels (#14); and `--help` does not have to load yargs (#16).

/** What a value placeholder says, by option name; the rest say VALUE (strings) or N (numbers). */
const PLACEHOLDER: Record<string, string> = {
  weights: 'DIR',
  config: 'FILE',
  o: 'FILE',
  tags: 'REGEX',
  runs: 'REGEX',
  batch: 'RUN=N',
  exec: 'COMMAND',
  title: 'TEXT',
  interval: 'TIME',
  'quiet-after': 'TIME',
};

/** Two columns, the left padded to its widest entry. */
function columns(rows: [string, string][], indent = '  '): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => (right ? `${indent}${left.padEnd(width)}  ${right}` : `${indent}${left}`));
}

/** The bare `tblens`: one line per command. */
export function commandList(commands: CommandEntry[]): string {
  return [
    'tblens <command> <paths…>: read TensorBoard logs and LoRA files of training runs',
    '',
    ...columns(commands.map((c) => [c.name, c.summary])),
    '',
    'tblens <command> --help for its options and examples; tblens --version for the version.',
    '',
  ].join('\n');
}

export function globalHelp(commands: CommandEntry[]): string {
  return [
    'Usage: tblens <command> <paths…> [options]',
    '',
    'Commands:',
    ...columns(commands.map((c) => [c.name, c.summary])),
    '',
    'Options:',
    ...columns([
      ['-h, --help', 'this help; tblens <command> --help for a command'],
      ['-v, --version', 'the version'],
    ]),
    '',
    'Quick start with kohya_ss (the GUI\'s "Logging directory" and "Output directory for trained model"):',
    ...columns(commands.filter((c) => c.name === 'diagnose' || c.name === 'compare' || c.name === 'inspect').map((c) => [c.examples[0][0], ''])),
    '',
  ].join('\n');
}

function flagText(o: OptionSpec): string {
  const aliases = o.alias === undefined ? [] : Array.isArray(o.alias) ? o.alias : [o.alias];
  const names = [o.name, ...aliases].sort((a, b) => a.length - b.length).map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
  if (o.type === 'boolean') return names.join(', ');
  const value = o.choices ? o.choices.join('|') : (PLACEHOLDER[o.name] ?? (o.type === 'number' ? 'N' : 'VALUE'));
  return `${names.join(', ')} ${value}${o.array ? '…' : ''}`;
}

function optionText(o: OptionSpec): string {
  const shown = o.default !== undefined && o.default !== false && !(Array.isArray(o.default) && o.default.length === 0);
  return `${o.describe ?? ''}${shown ? ` (default ${String(o.default)})` : ''}`;
}

/** `tblens <command> --help`: usage, what it does, arguments, options, examples. */
export function commandHelp(entry: CommandEntry, usage: string, describe: string, spec: CommandSpec): string {
  const positionals = spec.positionals.map((p): [string, string] => [`<${p.name}${p.array ? '…' : ''}>`, p.describe ?? '']);
  const options = [...spec.options.map((o): [string, string] => [flagText(o), optionText(o)]), ['-h, --help', 'this help'] as [string, string]];
  return [
    `Usage: tblens ${usage.replace(/\.\.>/g, '…>')} [options]`,
    '',
    describe,
    '',
    'Arguments:',
    ...columns(positionals),
    '',
    'Options:',
    ...columns(options),
    '',
    'Examples:',
    ...columns(entry.examples),
    '',
  ].join('\n');
}
