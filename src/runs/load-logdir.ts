import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { loadSqliteRuns } from './ai-toolkit-db.js';
import { fsPath } from '../io/raw-path.js';
import type { DirectoryReader } from '../io/list-directory.js';
import { discoverRuns, type RunLocation } from './discover.js';
import { compareNames, loadRun, type LoadRunOptions } from './load-run.js';
import { defaultThreads, loadRunsHere, loadRunsInWorkers, workersAvailable } from './load-worker.js';
import { foldSideRuns } from './side-runs.js';
import type { Run } from './types.js';

export interface LoadOptions extends LoadRunOptions {
  /** Keep only runs whose name matches. */
  runFilter?: RegExp;
  /**
   * Threads to load runs on: 1 loads on the calling thread; more uses worker threads when there
   * is enough to load to repay starting them. Default: one per core.
   */
  threads?: number;
  /** Called as runs finish loading (once per run: a run costs at least a file read, so this is cheap), for a progress line. */
  onProgress?: (loaded: number, total: number) => void;
  /** Answers discovery's directory reads; a `memoDirectories` shared with later walks of the same tree saves their listings. */
  directories?: DirectoryReader;
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

/** Starting a worker and loading the modules in it costs tens of milliseconds: not worth it for a few small runs. */
const WORKER_MIN_RUNS = 4;
const WORKER_MIN_BYTES = 32 << 20;
const WORKER_SURE_RUNS = 256;

async function worthWorkers(locations: RunLocation[], threads: number): Promise<boolean> {
  if (threads <= 1 || locations.length < WORKER_MIN_RUNS || !workersAvailable()) return false;
  // So many runs repay the workers whatever their size; statting 5,000 files to find that out cost ~0.5 s.
  if (locations.length >= WORKER_SURE_RUNS) return true;
  const sizes = await Promise.all(
    locations.flatMap((l) =>
      l.files.map((f) =>
        stat(fsPath(f)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
    ),
  );
  return sizes.reduce((a, b) => a + b, 0) >= WORKER_MIN_BYTES;
}

/**
 * Loads every run under each path. A path that does not exist or holds no event file is an error
 * (the caller asked for it); damage inside files is reported per file, never thrown. Runs come
 * back in name order whether they were loaded on worker threads or not.
 */
export async function loadLogdirs(paths: string[], options: LoadOptions = {}): Promise<LoadResult> {
  const roots: LoadedRoot[] = [];
  const threads = options.threads ?? defaultThreads();
  const runOptions: LoadRunOptions = { view: options.view, tagFilter: options.tagFilter };
  for (const input of paths) {
    const found = await discoverRuns(input, options.directories);
    if (!found.ok) return { ok: false, error: found.error };
    const sqliteLogs = found.sqliteLogs ?? [];
    if (found.runs.length === 0 && sqliteLogs.length === 0)
      return { ok: false, error: `${input}: no event files found (looked for file names containing "tfevents", and ai-toolkit's loss_log.db)` };
    const locations = options.runFilter ? found.runs.filter((r) => options.runFilter!.test(r.name)) : found.runs;
    const runs = (await worthWorkers(locations, threads))
      ? await loadRunsInWorkers(locations, runOptions, threads, options.onProgress)
      : await loadRunsHere(locations, runOptions, options.onProgress);
    const eventRuns = foldSideRuns(runs);
    // ai-toolkit jobs that log only to SQLite; an unreadable database is one skipped entry, the other runs still load.
    const db = await loadSqliteRuns(found.root, sqliteLogs, eventRuns);
    const dbRuns = options.runFilter ? db.runs.filter((r) => options.runFilter!.test(r.name)) : db.runs;
    const all = dbRuns.length > 0 ? [...eventRuns, ...dbRuns].sort((a, b) => compareNames(a.name, b.name)) : eventRuns;
    roots.push({ input, root: found.root, runs: all, skipped: [...found.skipped, ...db.errors] });
  }
  return { ok: true, roots };
}

/** One log directory (or run directory, or event file): `loadLogdirs` for a single path. */
export async function loadLogdir(path: string, options: LoadOptions = {}): Promise<{ ok: true; root: LoadedRoot } | { ok: false; error: string }> {
  const loaded = await loadLogdirs([path], options);
  return loaded.ok ? { ok: true, root: loaded.roots[0] } : loaded;
}

/**
 * One event file as a run of its own (named `.`, its directory as `dir`). Unlike a directory load,
 * any file name is accepted: the caller named the file.
 */
export async function loadEventFile(path: string, options: LoadRunOptions = {}): Promise<Run> {
  const file = resolve(path);
  return loadRun('.', dirname(file), [file], options);
}
