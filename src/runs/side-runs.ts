import type { Run } from './types.js';

/** accelerate's `store_init_configuration` (kohya `--log_config`) and `add_hparams` name side runs `str(time.time())`. */
const TIMESTAMP_DIR = /(^|\/)\d{9,11}(\.\d+)?$/;

function parentName(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? '.' : name.slice(0, i);
}

/**
 * Folds hparams-only side directories (float-named, no scalar data) into the run directly above
 * them, so a kohya run shows up once with its hyper-parameters instead of as three runs.
 */
export function foldSideRuns(runs: Run[]): Run[] {
  const byName = new Map(runs.map((r) => [r.name, r]));
  const folded = new Set<Run>();
  for (const run of runs) {
    if (run.name === '.' || !TIMESTAMP_DIR.test(run.name) || run.scalars.size > 0) continue;
    if (!run.tags.some((t) => t.kind === 'hparams')) continue;
    const parent = byName.get(parentName(run.name));
    if (!parent || folded.has(parent)) continue;
    for (const [k, v] of Object.entries(run.hparams)) if (!(k in parent.hparams)) parent.hparams[k] = v;
    parent.sideRuns.push(run.name);
    folded.add(run);
  }
  return runs.filter((r) => !folded.has(r));
}
