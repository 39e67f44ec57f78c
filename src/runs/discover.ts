import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { listDirectory } from './list-directory.js';
import { compareNames } from './load-run.js';

/** A directory holding event files: TensorBoard's unit of a run. */
export interface RunLocation {
  /** Relative to the root, `/`-separated; `.` for the root itself. */
  name: string;
  dir: string;
  files: string[];
}

export type DiscoverResult =
  | { ok: true; root: string; runs: RunLocation[]; skipped: { path: string; reason: string }[] }
  | { ok: false; error: string };

/** TensorBoard's test for an event file, minus the Keras `.profile-empty` markers. */
export function isEventFileName(name: string): boolean {
  return name.includes('tfevents') && !name.endsWith('.profile-empty');
}

/**
 * Finds every run below `root` (a directory, or a single event file). Follows symlinks like the
 * data server, walks dot-directories, and never loops: a directory already seen by real path is skipped.
 */
export async function discoverRuns(rootPath: string): Promise<DiscoverResult> {
  const root = resolve(rootPath);
  let info;
  try {
    info = await stat(root);
  } catch {
    return { ok: false, error: `${rootPath}: no such file or directory` };
  }
  if (info.isFile()) {
    if (!isEventFileName(basename(root))) return { ok: false, error: `${rootPath}: not an event file (its name does not contain "tfevents")` };
    return { ok: true, root: dirname(root), runs: [{ name: '.', dir: dirname(root), files: [root] }], skipped: [] };
  }
  const runs: RunLocation[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const seen = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      skipped.push({ path: dir, reason: 'unreadable' });
      return;
    }
    if (seen.has(real)) {
      if (dir !== root) skipped.push({ path: dir, reason: 'symlink loop or repeated directory' });
      return;
    }
    seen.add(real);
    const listing = await listDirectory(dir);
    if (!listing.ok) {
      skipped.push({ path: dir, reason: listing.error });
      return;
    }
    const files = listing.files.filter((f) => isEventFileName(f.name)).map((f) => f.path);
    const subdirs = listing.subdirs;
    if (files.length > 0) {
      files.sort((a, b) => compareNames(basename(a), basename(b)));
      runs.push({ name: runName(root, dir), dir, files });
    }
    subdirs.sort((a, b) => compareNames(basename(a), basename(b)));
    for (const sub of subdirs) await walk(sub);
  };
  await walk(root);
  runs.sort((a, b) => compareNames(a.name, b.name));
  return { ok: true, root, runs, skipped };
}

export function runName(root: string, dir: string): string {
  const rel = relative(root, dir);
  return rel === '' ? '.' : rel.split(sep).join('/');
}
