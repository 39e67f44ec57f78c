import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fsPath, nameFromBytes } from './raw-path.js';

export interface DirectoryListing {
  ok: true;
  files: { name: string; path: string }[];
  subdirs: string[];
  /** Entries that are neither (FIFOs, sockets, devices): never opened, so a reader cannot block on them. */
  special: { name: string; path: string; kind: string }[];
  /** Paths of the entries above that are symlinks (listed as what they point to). */
  links: Set<string>;
}

/**
 * The regular files and subdirectories of one directory, following symlinks as TensorBoard's data
 * server does; a dangling link is ignored (its NotFound, too). Unsorted: callers order by their rules.
 * Names that are not valid UTF-8 are kept exactly (see raw-path.ts).
 */
export async function listDirectory(dir: string): Promise<DirectoryListing | { ok: false; error: string }> {
  const files: { name: string; path: string }[] = [];
  const subdirs: string[] = [];
  const special: { name: string; path: string; kind: string }[] = [];
  const links = new Set<string>();
  try {
    // One readdir call, not opendir's async iterator: with 5,000 run directories the iterator's per-entry
    // promises cost ~0.15 ms a directory (the listing is collected whole either way).
    for (const entry of await readdir(fsPath(dir), { encoding: 'buffer', withFileTypes: true })) {
      const name = nameFromBytes(entry.name);
      const path = join(dir, name);
      let kind = entryKind(entry);
      if (entry.isSymbolicLink()) {
        try {
          kind = entryKind(await stat(fsPath(path)));
        } catch {
          continue;
        }
        links.add(path);
      }
      if (kind === 'directory') subdirs.push(path);
      else if (kind === 'file') files.push({ name, path });
      else special.push({ name, path, kind });
    }
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  return { ok: true, files, subdirs, special, links };
}

/** A directory lister: `listDirectory` itself, or one that remembers its answers (`memoDirectories`). */
export type Lister = (dir: string) => Promise<DirectoryListing | { ok: false; error: string }>;

/**
 * A directory's real path as bytes decoded by `nameFromBytes`, so two names differing only in invalid
 * UTF-8 stay two directories; null when it cannot be resolved (gone, unreadable, a dangling link).
 */
export async function realDirectory(dir: string): Promise<string | null> {
  try {
    return nameFromBytes(await realpath(fsPath(dir), { encoding: 'buffer' }));
  } catch {
    return null;
  }
}

/** What the directory walks ask of the file system: a directory's real path (for loop detection) and its listing. */
export interface DirectoryReader {
  real(dir: string): Promise<string | null>;
  list: Lister;
}

/** Straight to the file system, every time (watch's polls, one-off calls). */
export const FS_DIRECTORIES: DirectoryReader = { real: realDirectory, list: listDirectory };

function remembered<T>(read: (dir: string) => Promise<T>): (dir: string) => Promise<T> {
  const seen = new Map<string, Promise<T>>();
  return (dir) => {
    let answer = seen.get(dir);
    if (answer === undefined) {
      answer = read(dir);
      seen.set(dir, answer);
    }
    return answer;
  };
}

/**
 * Real paths and listings remembered per directory for one pass over many runs. One diagnose walks the
 * tree three times (run discovery, the LoRA search, each run's config search) and every run's config
 * search lists the run's parent: for a sweep of 5,000 runs in one folder that was the same 5,000-entry
 * directory 5,000 times (25 M entries, 87 s) before the memo. Keyed by the path exactly as given, so
 * listed paths are spelled as the caller spelled them. A listing is shared: callers sort a copy. Only for
 * one pass: a directory that changes later (watch) must be read again.
 */
export function memoDirectories(): DirectoryReader {
  return { real: remembered(realDirectory), list: remembered(listDirectory) };
}

interface KindTests {
  isDirectory(): boolean;
  isFile(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}

/** What a directory entry (or a link's target) is, in words for a skip reason. */
export function entryKind(e: KindTests): string {
  if (e.isDirectory()) return 'directory';
  if (e.isFile()) return 'file';
  if (e.isFIFO()) return 'FIFO';
  if (e.isSocket()) return 'socket';
  if (e.isCharacterDevice()) return 'character device';
  if (e.isBlockDevice()) return 'block device';
  return 'unknown file type';
}
