import { metadataProblems } from '../identity/metadata.js';
import { findWeightsFiles } from './find-files.js';
import type { DirectoryReader } from '../io/list-directory.js';
import { linkWeights, settleRunLink, type WeightsLinks } from './link.js';
import { readWeightsHeaderSummary, readWeightsSummary, type ReadWeightsOptions } from './read-summary.js';
import type { LinkableRun } from './run-times.js';
import type { WeightsSummary } from './summary.js';

export interface RunWeightsResult extends WeightsLinks {
  /** Candidate files that could not be read (one line each, naming the file and problem). */
  unreadable: string[];
  /** Candidates read whose metadata had values that had to be ignored (an invalid time), one line each naming file and key. */
  notices: string[];
  skipped: { path: string; reason: string }[];
  candidates: number;
}

/**
 * Finds `.safetensors` candidates under the log paths and `--weights` directories, links them to
 * the runs by their headers (`linkWeights`), then scans only the linked files: a `--weights`
 * folder of unrelated LoRAs costs a header read each, not a full pass. A run without weights is
 * stated, not an error.
 */
export async function linkRunWeights(
  runs: LinkableRun[],
  searchPaths: string[],
  options: ReadWeightsOptions = {},
  onProgress?: (done: number, total: number) => void,
  dirs?: DirectoryReader,
): Promise<RunWeightsResult> {
  const found = await findWeightsFiles(searchPaths, dirs);
  const headers: WeightsSummary[] = [];
  const unreadable: string[] = [];
  const notices: string[] = [];
  for (const file of found.files) {
    const r = await readWeightsHeaderSummary(file);
    if (r.ok) {
      headers.push(r.summary);
      for (const p of metadataProblems(r.summary.metadata)) notices.push(`${file}: ${p}`);
    } else unreadable.push(r.error);
  }
  const links = linkWeights(runs, headers);
  for (const [i, link] of links.runs.entries()) {
    const files: WeightsSummary[] = [];
    for (const stub of link.files) {
      const r = await readWeightsSummary(stub.path, options);
      if (r.ok) files.push({ ...r.summary, linkReason: stub.linkReason });
      else unreadable.push(r.error);
    }
    link.files = files;
    settleRunLink(link, found.files.length);
    // Reading every tensor of the linked files is the slow part (NaN/Inf and zero checks): one call per run.
    onProgress?.(i + 1, links.runs.length);
  }
  return { ...links, unreadable, notices, skipped: found.skipped, candidates: found.files.length };
}
