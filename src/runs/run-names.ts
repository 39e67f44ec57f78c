import { dirname, resolve } from 'node:path';
import type { LoadedRoot } from './load-logdir.js';
import type { Run } from './types.js';

export interface NamedRunDir {
  /** The run directory. */
  dir: string;
  /** The root it was found under (the path the user gave, or the event file's directory). */
  root: string;
}

function segments(path: string): string[] {
  return resolve(path)
    .split(/[\\/]+/)
    .filter((s) => s.length > 0);
}

function isPrefix(prefix: string[], k: number, of: string[]): boolean {
  if (of.length < k) return false;
  for (let i = 0; i < k; i++) if (prefix[i] !== of[i]) return false;
  return true;
}

/**
 * The one naming rule for runs, used by every command and format (diagnose, check, compare, export)
 * so their outputs can be joined on the run name.
 *
 * Short, unique, readable names for runs that may come from several roots: the directories'
 * common leading path is removed (for a single run, everything above its root), then each name
 * keeps only as many leading segments as it needs to differ from every other, and at least the
 * path down to its root — so kohya's `sweep/adamw/glypha-adamw-20261129140106/network_train` next to
 * its siblings becomes `adamw`, and `sweep/adamw` when `sweep/adamw` was the path given.
 */
export function displayNames(runs: NamedRunDir[]): string[] {
  // No runs (an export --runs that matched none): the common-prefix loop below would never end.
  if (runs.length === 0) return [];
  const segs = runs.map((r) => segments(r.dir));
  let common: number;
  if (runs.length === 1) {
    common = Math.min(segments(dirname(resolve(runs[0].root))).length, segs[0].length - 1);
  } else {
    const shortest = Math.min(...segs.map((s) => s.length));
    common = 0;
    while (common < shortest - 1 && segs.every((s) => s[common] === segs[0][common])) common++;
  }
  const rest = segs.map((s) => s.slice(Math.max(0, common)));
  // A name keeps at least the path down to the root the user gave (`sweep/adamw` when that was the argument).
  const rootDepth = runs.map((r) => Math.max(1, segments(r.root).length - Math.max(0, common)));
  const names = rest.map((r, i) => {
    let k = Math.min(rootDepth[i], r.length);
    while (k < r.length && rest.some((o, j) => j !== i && isPrefix(r, k, o))) k++;
    return r.slice(0, k).join('/') || '.';
  });
  return uniquify(names);
}

/** The same directory given twice (or two roots with equal layouts) still yields distinct names. */
function uniquify(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} (${n})`;
  });
}

/** The runs of the loaded roots in load order, each renamed by `displayNames` (its `dir` keeps the full path). */
export function namedRuns(roots: LoadedRoot[]): { root: LoadedRoot; run: Run }[] {
  const entries = roots.flatMap((root) => root.runs.map((run) => ({ root, run })));
  const names = displayNames(entries.map((e) => ({ dir: e.run.dir, root: e.root.root })));
  return entries.map((e, i) => ({ root: e.root, run: { ...e.run, name: names[i] } }));
}
