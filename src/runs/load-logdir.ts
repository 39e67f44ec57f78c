import { discoverRuns } from './discover.js';
import { loadRun, type LoadRunOptions } from './load-run.js';
import { foldSideRuns } from './side-runs.js';
import type { Run } from './types.js';

export interface LoadOptions extends LoadRunOptions {
  /** Keep only runs whose name matches. */
  runFilter?: RegExp;
}

export interface LoadedRoot {
  /** The path as given. */
  input: string;
  root: string;
  runs: Run[];
  /** Directories that could not be walked (unreadable, symlink loops). */
  skipped: { path: string; reason: string }[];
}

export type LoadResult = { ok: true; roots: LoadedRoot[] } | { ok: false; error: string };

/**
 * Loads every run under each path. A path that does not exist or holds no event file is an error
 * (the caller asked for it); damage inside files is reported per file, never thrown.
 */
export async function loadLogdirs(paths: string[], options: LoadOptions = {}): Promise<LoadResult> {
  const roots: LoadedRoot[] = [];
  for (const input of paths) {
    const found = await discoverRuns(input);
    if (!found.ok) return { ok: false, error: found.error };
    if (found.runs.length === 0) return { ok: false, error: `${input}: no event files found (looked for file names containing "tfevents")` };
    const locations = options.runFilter ? found.runs.filter((r) => options.runFilter!.test(r.name)) : found.runs;
    const runs: Run[] = [];
    for (const loc of locations) runs.push(await loadRun(loc.name, loc.dir, loc.files, options));
    roots.push({ input, root: found.root, runs: foldSideRuns(runs), skipped: found.skipped });
  }
  return { ok: true, roots };
}
