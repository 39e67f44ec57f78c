import { opendirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isEventFileName, runName, type RunLocation } from '../discover.js';
import { entryKind } from '../../io/list-directory.js';
import { displayPath, fsPath, nameFromBytes } from '../../io/raw-path.js';
import { compareNames } from '../run-assembly.js';
import { isWeightsFileName } from '../../weights/find-files.js';
import { isSqliteLogName } from '../sqlite-log-name.js';

/** One directory as last listed. */
interface Listing {
  real: string;
  mtimeMs: number;
  /** Listed so soon after its last change that an entry added in the same clock tick could be missing. */
  racy: boolean;
  /** FIFOs, sockets and devices named like event files: reported, never opened. */
  special: { path: string; reason: string }[];
  eventFiles: string[];
  weightsFiles: string[];
  /** ai-toolkit's `loss_log.db` (at most one a directory). */
  sqliteLogs: string[];
  subdirs: string[];
}

/**
 * The directory tree under a log directory, re-listed only where it changed. `discoverRuns` walks
 * every directory each time; a poll every two seconds over dozens of run directories would then
 * spend most of its time opening directories that did not change. Here each poll costs one stat
 * per directory (a directory's mtime changes when an entry is added, removed or renamed), and
 * only changed directories are listed again, with the same rules as `discoverRuns` (symlinks
 * followed, dot-directories walked, loops cut by real path, byte-order names).
 *
 * Synchronous calls on purpose: a poll is a burst of ~100 stats, where the promise API's per-call
 * cost (a thread-pool round trip each) would dominate, and watch has nothing else to do meanwhile.
 */
export interface TreeCache {
  listings: Map<string, Listing>;
}

export function newTreeCache(): TreeCache {
  return { listings: new Map() };
}

export type TreeScan =
  | { ok: true; root: string; runs: RunLocation[]; weights: string[]; sqliteLogs: string[]; skipped: { path: string; reason: string }[]; relisted: number }
  | { ok: false; error: string };

/** Runs and ai-toolkit databases (as `discoverRuns` finds them) and `.safetensors` files under `rootPath`, from the cache where unchanged. */
export function scanTree(cache: TreeCache, rootPath: string, now: number = Date.now()): TreeScan {
  const root = resolve(rootPath);
  let info;
  try {
    info = statSync(fsPath(root));
  } catch {
    return { ok: false, error: `${displayPath(rootPath)}: no such file or directory` };
  }
  const kind = entryKind(info);
  if (kind !== 'file' && kind !== 'directory') return { ok: false, error: `${displayPath(rootPath)}: not a regular file or directory (${kind})` };
  if (info.isFile()) {
    // As discoverRuns: a database is named after its job directory, so the root is the training folder above it.
    if (isSqliteLogName(basename(root))) return { ok: true, root: dirname(dirname(root)), runs: [], weights: [], sqliteLogs: [root], skipped: [], relisted: 0 };
    if (!isEventFileName(basename(root))) return { ok: false, error: `${rootPath}: not an event file (its name does not contain "tfevents")` };
    return { ok: true, root: dirname(root), runs: [{ name: '.', dir: dirname(root), files: [root] }], weights: [], sqliteLogs: [], skipped: [], relisted: 0 };
  }
  const runs: RunLocation[] = [];
  const weights: string[] = [];
  const sqliteLogs: string[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const seen = new Set<string>();
  const reached = new Set<string>();
  let relisted = 0;
  const walk = (dir: string): void => {
    reached.add(dir);
    let listing = cache.listings.get(dir);
    let mtimeMs: number;
    try {
      mtimeMs = statSync(fsPath(dir)).mtimeMs;
    } catch {
      skipped.push({ path: dir, reason: 'unreadable' });
      return;
    }
    if (!listing || listing.racy || listing.mtimeMs !== mtimeMs) {
      const fresh = list(dir, mtimeMs, now);
      if (typeof fresh === 'string') {
        cache.listings.delete(dir);
        skipped.push({ path: dir, reason: fresh });
        return;
      }
      listing = fresh;
      cache.listings.set(dir, listing);
      relisted++;
    }
    if (seen.has(listing.real)) {
      if (dir !== root) skipped.push({ path: dir, reason: 'symlink loop or repeated directory' });
      return;
    }
    seen.add(listing.real);
    skipped.push(...listing.special);
    if (listing.eventFiles.length > 0) runs.push({ name: runName(root, dir), dir, files: listing.eventFiles });
    weights.push(...listing.weightsFiles);
    sqliteLogs.push(...listing.sqliteLogs);
    for (const sub of listing.subdirs) walk(sub);
  };
  walk(root);
  for (const dir of [...cache.listings.keys()]) if (!reached.has(dir)) cache.listings.delete(dir);
  runs.sort((a, b) => compareNames(a.name, b.name));
  return { ok: true, root, runs, weights, sqliteLogs, skipped, relisted };
}

function list(dir: string, mtimeMs: number, now: number): Listing | string {
  let real: string;
  try {
    // .native: the JavaScript realpathSync decodes a Buffer path as UTF-8 and loses invalid bytes.
    real = nameFromBytes(realpathSync.native(fsPath(dir), { encoding: 'buffer' }));
  } catch {
    return 'unreadable';
  }
  const eventFiles: string[] = [];
  const weightsFiles: string[] = [];
  const sqliteLogs: string[] = [];
  const subdirs: string[] = [];
  const special: { path: string; reason: string }[] = [];
  try {
    // Names as bytes (encoding 'buffer', which the typings omit): see raw-path.ts.
    const handle = opendirSync(fsPath(dir), { encoding: 'buffer' as BufferEncoding });
    try {
      for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
        const name = nameFromBytes(entry.name as unknown as Buffer);
        const path = join(dir, name);
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        let kind = entryKind(entry);
        if (entry.isSymbolicLink()) {
          try {
            const target = statSync(fsPath(path));
            isDir = target.isDirectory();
            isFile = target.isFile();
            kind = entryKind(target);
          } catch {
            continue; // dangling link: ignored, as by the data server
          }
        }
        if (isDir) subdirs.push(path);
        else if (isFile && isEventFileName(name)) eventFiles.push(path);
        else if (isFile && isWeightsFileName(name)) weightsFiles.push(path);
        else if (isFile && isSqliteLogName(name)) sqliteLogs.push(path);
        else if (!isFile && isEventFileName(name)) special.push({ path, reason: `not a regular file (${kind}); not opened` });
      }
    } finally {
      handle.closeSync();
    }
  } catch (error) {
    return (error as Error).message;
  }
  const byName = (a: string, b: string) => compareNames(basename(a), basename(b));
  eventFiles.sort(byName);
  weightsFiles.sort(byName);
  subdirs.sort(byName);
  // Coarse directory clocks (1–2 s on some filesystems): an entry added in the tick of this listing
  // would not change the mtime again, so such a listing is redone on the next poll.
  const racy = now - mtimeMs < 3000;
  return { real, mtimeMs, racy, eventFiles, weightsFiles, sqliteLogs, subdirs, special };
}
