import { stat } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { entryKind, FS_DIRECTORIES, type DirectoryReader } from '../io/list-directory.js';
import { limiter } from '../io/limit.js';
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

/** Directory listings fetched at once ahead of the walk: enough to keep the thread pool busy, far below any file limit. */
const DIRECTORIES_IN_FLIGHT = 16;

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
  const seen = new Set<string>();
  const sqliteLogs: string[] = [];
  // Each directory's realpath and listing are fetched ahead of the depth-first walk (siblings at once, a
  // bounded number in flight), then judged in walk order, so the result and its symlink/loop decisions are the
  // ones a one-at-a-time walk makes. Serially, 5,000 run directories spent ~1.3 s waiting on the thread pool.
  const limit = limiter(DIRECTORIES_IN_FLIGHT);
  const fetch = (dir: string) =>
    limit(async () => {
      const real = await dirs.real(dir);
      return real === null ? { real, listing: null } : { real, listing: await dirs.list(dir) };
    });
  const walk = async (dir: string, fetched: ReturnType<typeof fetch>): Promise<void> => {
    const { real, listing } = await fetched;
    if (real === null) {
      skipped.push({ path: dir, reason: 'unreadable' });
      return;
    }
    if (seen.has(real)) {
      if (dir !== root) skipped.push({ path: dir, reason: 'symlink loop or repeated directory' });
      return;
    }
    seen.add(real);
    if (!listing!.ok) {
      skipped.push({ path: dir, reason: listing!.error });
      return;
    }
    const files = listing!.files.filter((f) => isEventFileName(f.name)).map((f) => f.path);
    for (const s of listing!.special) if (isEventFileName(s.name)) skipped.push({ path: s.path, reason: `not a regular file (${s.kind}); not opened` });
    // A copy: the listing may be shared with later walks of the tree (memoDirectories), which sort it their own way.
    const subdirs = [...listing!.subdirs];
    for (const f of listing!.files) if (isSqliteLogName(f.name)) sqliteLogs.push(f.path);
    if (files.length > 0) {
      files.sort((a, b) => compareNames(basename(a), basename(b)));
      runs.push({ name: runName(root, dir), dir, files });
    }
    subdirs.sort((a, b) => compareNames(basename(a), basename(b)));
    const ahead = subdirs.map((sub) => fetch(sub));
    for (let i = 0; i < subdirs.length; i++) await walk(subdirs[i], ahead[i]);
  };
  await walk(root, fetch(root));
  runs.sort((a, b) => compareNames(a.name, b.name));
  return { ok: true, root, runs, skipped, sqliteLogs };
}

/** The run's label: bytes of its path that are not UTF-8 appear as `\xNN` (the directory itself stays in `dir`). */
export function runName(root: string, dir: string): string {
  const rel = relative(root, dir);
  return rel === '' ? '.' : displayPath(rel.split(sep).join('/'));
}
