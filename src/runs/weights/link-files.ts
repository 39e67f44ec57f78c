import { findWeightsFiles } from './find-files.js';
import { linkWeights, type WeightsLinks } from './link.js';
import { readWeightsSummary, type ReadWeightsOptions } from './read-summary.js';
import type { LinkableRun } from './run-times.js';
import type { WeightsSummary } from './summary.js';

export interface RunWeightsResult extends WeightsLinks {
  /** Candidate files that could not be read (one line each, naming the file and problem). */
  unreadable: string[];
  skipped: { path: string; reason: string }[];
  candidates: number;
}

/**
 * Finds `.safetensors` candidates under the log paths and `--weights` directories, reads each
 * once, and links them to the runs (`linkWeights`). A run without weights is stated, not an error.
 */
export async function linkRunWeights(runs: LinkableRun[], searchPaths: string[], options: ReadWeightsOptions = {}): Promise<RunWeightsResult> {
  const found = await findWeightsFiles(searchPaths);
  const summaries: WeightsSummary[] = [];
  const unreadable: string[] = [];
  for (const file of found.files) {
    const r = await readWeightsSummary(file, options);
    if (r.ok) summaries.push(r.summary);
    else unreadable.push(r.error);
  }
  return { ...linkWeights(runs, summaries), unreadable, skipped: found.skipped, candidates: found.files.length };
}
