import { dirname } from 'node:path';
import { sqliteLogsToRead } from '../ai-toolkit-db.js';
import { runName } from '../discover.js';
import { compareNames } from '../run-assembly.js';
import { foldSideRuns } from '../side-runs.js';
import type { Run } from '../types.js';
import { newFollowedDb, pollDb, type FollowedDb } from './follow-db.js';
import { newFollowedRun, pollRun, snapshotRun, viewRun, type FollowListener, type FollowOptions, type FollowedRun } from './follow-run.js';
import type { FollowNote } from './notes.js';
import { newTreeCache, scanTree, type TreeCache } from './tree-cache.js';

export interface LogdirFollowOptions extends FollowOptions {
  runFilter?: RegExp;
}

/** A log directory (or single event file) followed by polling: every run under it, as it grows. */
export interface LogdirFollower {
  input: string;
  root: string | null;
  runs: Map<string, FollowedRun>;
  options: LogdirFollowOptions;
  listener?: FollowListener;
  /** The last "waiting for …" message, so it is said once. */
  waiting: string | null;
  tree: TreeCache;
  /** `.safetensors` files seen under the log directory at the last poll. */
  weights: string[];
  /** ai-toolkit databases followed, by path (their runs are in `runs` once read). */
  dbs: Map<string, FollowedDb>;
}

export function newLogdirFollower(input: string, options: LogdirFollowOptions = {}, listener?: FollowListener): LogdirFollower {
  return { input, root: null, runs: new Map(), options, listener, waiting: null, tree: newTreeCache(), weights: [], dbs: new Map() };
}

export interface PollResult {
  notes: FollowNote[];
  /** Runs that read new records or were re-read this poll. */
  changed: FollowedRun[];
}

/**
 * One polling pass: discovers runs and event files (new directories appear here), then reads the
 * new bytes of each run, and re-reads each ai-toolkit database that changed (see follow-db.ts).
 * A log directory that does not exist yet is waited for, not an error.
 */
export async function pollLogdir(f: LogdirFollower): Promise<PollResult> {
  const notes: FollowNote[] = [];
  const changed: FollowedRun[] = [];
  const found = scanTree(f.tree, f.input);
  if (!found.ok) {
    const detail = `waiting for ${f.input} (${found.error})`;
    if (f.waiting !== detail) notes.push({ kind: 'waiting', detail });
    f.waiting = detail;
    return { notes, changed };
  }
  f.waiting = null;
  f.root = found.root;
  f.weights = found.weights;
  const locations = f.options.runFilter ? found.runs.filter((r) => f.options.runFilter!.test(r.name)) : found.runs;
  const seen = new Set<string>();
  for (const loc of locations) {
    seen.add(loc.name);
    let run = f.runs.get(loc.name);
    if (!run) {
      run = newFollowedRun(loc.name, loc.dir, f.options, f.listener);
      f.runs.set(loc.name, run);
      notes.push({ kind: 'new-run', run: loc.name, dir: loc.dir });
    }
    const before = run.recordsRead;
    const generation = run.generation;
    notes.push(...(await pollRun(run, loc.files, f.options, f.listener)));
    if (run.recordsRead !== before || run.generation !== generation) changed.push(run);
  }
  // ai-toolkit jobs that log only to SQLite, by export's rule: a job with a TensorBoard run is read from that alone.
  const dbPaths = sqliteLogsToRead(
    found.sqliteLogs,
    locations.map((l) => l.dir),
  );
  for (const path of dbPaths) {
    // The run's name, as loadSqliteRun gives it: filtered before the database is opened.
    if (f.options.runFilter && !f.options.runFilter.test(runName(found.root, dirname(path)))) continue;
    let db = f.dbs.get(path);
    if (!db) f.dbs.set(path, (db = newFollowedDb(path)));
    const before = db.run ? [db.run.recordsRead, db.run.generation] : null;
    notes.push(...(await pollDb(db, found.root, f.options, f.listener)));
    const run = db.run;
    if (!run) continue;
    seen.add(run.name);
    if (f.runs.get(run.name) !== run) {
      f.runs.set(run.name, run);
      notes.push({ kind: 'new-run', run: run.name, dir: run.dir });
    }
    if (!before || run.recordsRead !== before[0] || run.generation !== before[1]) changed.push(run);
  }
  const listed = new Set(dbPaths);
  for (const path of [...f.dbs.keys()]) if (!listed.has(path)) f.dbs.delete(path);
  for (const name of [...f.runs.keys()]) {
    if (seen.has(name)) continue;
    // Its directory, or every event file in it, is gone.
    f.runs.delete(name);
    notes.push({ kind: 'run-removed', run: name });
  }
  return { notes, changed };
}

/** Every run as read so far, as `loadLogdirs` would return them for the same bytes (side runs folded). */
export function snapshotLogdir(f: LogdirFollower): Run[] {
  const names = [...f.runs.keys()].sort(compareNames);
  return foldSideRuns(names.map((n) => snapshotRun(f.runs.get(n)!)));
}

/** Like `snapshotLogdir`, but the series view the live columns (no copy): valid until the next poll. */
export function viewLogdir(f: LogdirFollower): Run[] {
  const names = [...f.runs.keys()].sort(compareNames);
  return foldSideRuns(names.map((n) => viewRun(f.runs.get(n)!)));
}
