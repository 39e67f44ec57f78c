import { stat } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { entryKind, FS_DIRECTORIES, type DirectoryReader } from '../io/list-directory.js';
import { walkTree } from '../io/walk-tree.js';
import { displayPath, fsPath } from '../io/raw-path.js';
import { compareNames } from './load-run.js';
import { isSqliteLogName } from './sqlite-log-name.js';

/** A directory holding event files: TensorBoard's unit of a run. */
export interface RunLocation {
  /** Relative to the root, `/`-separated; `.` for the root itself. */
  name: string;
  dir: string;
  files: string[];
}

export type DiscoverResult =
  { ok: true; root: string; runs: RunLocation[]; skipped: { path: string; reason: string }[]; sqliteLogs?: string[] } | { ok: false; error: string };

/** TensorBoard's test for an event file, minus the Keras `.profile-empty` markers. */
export function isEventFileName(name: string): boolean {
  return name.includes('tfevents') && !name.endsWith('.profile-empty');
}

/**
 * Finds every run below `root` (a directory, or a single event file). Follows symlinks like the
 * data server, walks dot-directories, and never loops: a directory already seen by real path is skipped.
 * `dirs` answers the listings (a `memoDirectories` lets later walks of the same tree reuse them).
 */
export async function discoverRuns(rootPath: string, dirs: DirectoryReader = FS_DIRECTORIES): Promise<DiscoverResult> {
  const root = resolve(rootPath);
  let info;
  try {
    info = await stat(fsPath(root));
  } catch {
    return { ok: false, error: `${displayPath(rootPath)}: no such file or directory` };
  }
  const kind = entryKind(info);
  // Opening a FIFO for reading blocks until a writer appears: never try.
  if (kind !== 'file' && kind !== 'directory') return { ok: false, error: `${displayPath(rootPath)}: not a regular file or directory (${kind})` };
  if (info.isFile()) {
    if (isSqliteLogName(basename(root))) return { ok: true, root: dirname(dirname(root)), runs: [], skipped: [], sqliteLogs: [root] };
    if (!isEventFileName(basename(root))) return { ok: false, error: `${displayPath(rootPath)}: not an event file (its name does not contain "tfevents")` };
    return { ok: true, root: dirname(root), runs: [{ name: '.', dir: dirname(root), files: [root] }], skipped: [] };
  }
  const runs: RunLocation[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const sqliteLogs: string[] = [];
  await walkTree(root, {
    dirs,
    order: (a, b) => compareNames(basename(a), basename(b)),
    skip: (path, reason) => skipped.push({ path, reason }),
    repeated: (dir) => {
      if (dir !== root) skipped.push({ path: dir, reason: 'symlink loop or repeated directory' });
    },
    visit: (dir, listing) => {
      const files = listing.files.filter((f) => isEventFileName(f.name)).map((f) => f.path);
      for (const s of listing.special) if (isEventFileName(s.name)) skipped.push({ path: s.path, reason: `not a regular file (${s.kind}); not opened` });
      for (const f of listing.files) if (isSqliteLogName(f.name)) sqliteLogs.push(f.path);
      if (files.length > 0) {
        files.sort((a, b) => compareNames(basename(a), basename(b)));
        runs.push({ name: runName(root, dir), dir, files });
      }
    },
  });
  runs.sort((a, b) => compareNames(a.name, b.name));
  return { ok: true, root, runs, skipped, sqliteLogs };
}

/** The run's label: bytes of its path that are not UTF-8 appear as `\xNN` (the directory itself stays in `dir`). */
export function runName(root: string, dir: string): string {
  const rel = relative(root, dir);
  return rel === '' ? '.' : displayPath(rel.split(sep).join('/'));
}
