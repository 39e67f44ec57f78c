import type { CommandModule } from './command.js';

/**
 * What the CLI knows before it loads a command: the name, one line for the command list and 1–3
 * examples for its help. The command itself (options, run) is imported only when it is used, so
 * `--version`, `--help` and a typo never pay for the readers and renderers (issue #16: start time).
 * One block per command, in the order a user meets them (#14).
 */
export interface CommandEntry {
  name: string;
  summary: string;
  /** `[command line, what it does]`. */
  examples: [string, string][];
  load: () => Promise<CommandModule>;
}

export const COMMANDS: CommandEntry[] = [
  {
    name: 'diagnose',
    summary: 'per run: verdict, loss sparkline, who the run is, findings with advice',
    examples: [
      ['tblens diagnose <logging_dir> --weights <output_dir>', 'kohya_ss quick start: every run, linked to its LoRA files'],
      ['tblens diagnose fixtures/kohya', 'every run under a folder'],
      ['tblens diagnose logs/ --format markdown > report.md', 'a report to paste into an issue'],
    ],
    load: async () => (await import('./diagnose.js')).diagnoseCommand,
  },
  {
    name: 'check',
    summary: 'diagnose for CI: exit 1 on findings; JSON, JUnit, SARIF or GitHub annotations',
    examples: [
      ['tblens check <logging_dir> --weights <output_dir> --fail-on warning', 'fail on warnings too'],
      ['tblens check logs/ --format sarif -o tblens.sarif', 'for GitHub code scanning'],
    ],
    load: async () => (await import('./check.js')).checkCommand,
  },
  {
    name: 'lint',
    summary: 'check training configs (sd-scripts, kohya_ss GUI, dataset, ss_* metadata) before training',
    examples: [
      ['tblens lint config.toml dataset.toml', 'a sd-scripts config and its dataset config'],
      ['tblens lint configs/ --format sarif -o lint.sarif', 'every config in a folder, for code scanning'],
    ],
    load: async () => (await import('./lint.js')).lintCommand,
  },
  {
    name: 'compare',
    summary: 'one offline HTML page (or SVG charts, or a Markdown table) comparing runs',
    examples: [
      ['tblens compare <logging_dir> --weights <output_dir> -o runs.html', 'every run on one page'],
      ["tblens compare sweep/ --tags '^loss/' --format markdown", 'a summary table of the loss tags'],
    ],
    load: async () => (await import('./compare.js')).compareCommand,
  },
  {
    name: 'watch',
    summary: 'follow a live log directory; alerts (and --exec) when a run goes wrong',
    examples: [
      ['tblens watch <logging_dir> --weights <output_dir>', 'while kohya_ss trains'],
      ['tblens watch logs/ --exit-on error --exec ./alert.sh', 'run a script per alert, stop at the first error'],
    ],
    load: async () => (await import('./watch.js')).watchCommand,
  },
  {
    name: 'inspect',
    summary: 'LoRA .safetensors health: NaN/Inf, untrained lora_up, kohya metadata, per-block table',
    examples: [
      ['tblens inspect <output_dir>', 'every LoRA file in the folder'],
      ['tblens inspect lora.safetensors --format json -o lora.json', 'one file, as JSON'],
    ],
    load: async () => (await import('./inspect.js')).inspectCommand,
  },
  {
    name: 'export',
    summary: 'scalar series as CSV / JSON / JSON lines, equal to what TensorBoard loads',
    examples: [
      ['tblens export logs/ -o scalars.csv', 'every run and tag'],
      ["tblens export logs/ --tags '^loss/' --runs alice --format jsonl", 'some tags of some runs'],
    ],
    load: async () => (await import('./export.js')).exportCommand,
  },
];
