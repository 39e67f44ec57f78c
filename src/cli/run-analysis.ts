import type { Argv } from 'yargs';
import { analyze } from '../analyze/analyze.js';
import type { DiagnosisReport } from '../analyze/diagnosis-report.js';
import { problemLines } from '../runs/damage-lines.js';
import { stderrProgress } from './command.js';
import { loadConfigFile } from './config-file.js';
import { loraInsteadOfLogsHint } from './hints.js';

export interface AnalysisArgs {
  paths: string[];
  weights?: string[];
  config?: string;
}

/** The inputs `runAnalysis` reads, declared once for `diagnose` and `check`: the paths, then `--weights`. */
export function analysisInputs<T>(y: Argv<T>) {
  return y.positional('paths', { type: 'string', array: true, describe: 'log directories or event files' }).option('weights', {
    type: 'string',
    array: true,
    describe: 'directories (or files) holding the LoRA .safetensors to link (before the paths: one per --weights)',
  });
}

/** `--config`, the threshold file `runAnalysis` loads (each command places it among its own options, for its help's order). */
export const CONFIG_OPTION = { type: 'string', describe: 'threshold overrides (default: ./tblens.config.json when present)' } as const;

/**
 * What `diagnose` and `check` share: config file, then the analysis. A failure is a one-line reason
 * for exit 2, with a `hint` when the paths are LoRA files rather than logs. `problems` are the stderr lines every command owes (README: what was skipped or could
 * not read, `<file>: <what> at byte <offset>`), the report's tool problems included, each once.
 */
export async function runAnalysis(
  args: AnalysisArgs,
): Promise<{ ok: true; report: DiagnosisReport; problems: string[]; inputs: string[] } | { ok: false; error: string; hint?: string }> {
  const config = await loadConfigFile(args.config);
  if (!config.ok) return config;
  const progress = stderrProgress();
  const result = await analyze(args.paths, {
    weightsDirs: args.weights ?? [],
    config: config.config,
    onProgress: (stage, done, total) => progress.update(stage, done, total),
  });
  // Cleared before anything else reaches stderr (the problem lines, an error).
  progress.end();
  if (!result.ok) return { ...result, hint: await loraInsteadOfLogsHint(args.paths) };
  const lines = problemLines(result.roots);
  // The report's own copies of the load's skips (`skipped (…)`, paths made relative) are already in `lines`.
  for (const p of result.report.problems) if (!p.message.startsWith('skipped (')) lines.push(p.path ? `${p.path}: ${p.message}` : p.message);
  // Every file read (event files, linked LoRAs): what `-o` must not overwrite.
  const inputs = [...result.runs.flatMap((r) => r.files.map((f) => f.path)), ...result.report.runs.flatMap((r) => r.weights.map((w) => w.path))];
  return { ok: true, report: result.report, problems: [...new Set(lines)], inputs };
}
