import { basename, dirname, join } from 'node:path';
import type { DetectConfig } from '../detect/config.js';
import { listDirectory, type Lister } from '../io/list-directory.js';
import { lintRunConfigSources, type RunConfigSources } from '../lint/lint.js';
import type { LintFinding } from '../lint/finding.js';
import type { Run } from '../runs/types.js';
import type { WeightsSummary } from '../weights/summary.js';
import type { ReportTrainer } from './trainer-identity.js';

/**
 * Where a run's own config is: the kohya_ss GUI's `config_lora-<datetime>.toml` beside the run or in
 * the output_dir its LoRA files were saved to, kohya's `--log_config` hparams (hparams.yml and the
 * logged ones), and the `ss_*` metadata of the weights file that speaks for the run. Only kohya runs'
 * hparams are read: other trainers log their own argument names, which sd-scripts' rules would misread.
 */
export function runConfigSources(run: Run, trainer: ReportTrainer['id'], weights: WeightsSummary[], main: WeightsSummary | undefined): RunConfigSources {
  const kohya = trainer === 'kohya';
  const side = run.sideRuns[0];
  return {
    ...(kohya ? { runDir: run.dir, hparams: run.hparams, hparamsSource: side === undefined ? run.dir : join(run.dir, basename(side)) } : {}),
    configDirs: [...new Set(weights.map((w) => dirname(w.path)))].sort(),
    ...(main ? { metadata: main.metadata, metadataFile: main.path } : {}),
  };
}

/** The lint of the run's own config, and the sources read (none: the config check did not run). */
export async function lintOwnConfig(
  run: Run,
  trainer: ReportTrainer['id'],
  weights: WeightsSummary[],
  main: WeightsSummary | undefined,
  config: DetectConfig,
  list: Lister = listDirectory,
): Promise<{ findings: LintFinding[]; read: string[] }> {
  const sources = runConfigSources(run, trainer, weights, main);
  // A finding needs a file to point at: the side directory's event file that logged the hparams.
  if (sources.hparamsSource && sources.hparamsSource !== run.dir) {
    const listing = await list(sources.hparamsSource);
    const events = listing.ok
      ? listing.files
          .map((f) => f.path)
          .filter((p) => basename(p).includes('tfevents'))
          .sort()[0]
      : undefined;
    if (events) sources.hparamsSource = events;
  }
  return lintRunConfigSources(sources, config, list);
}
