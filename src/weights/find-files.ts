import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { limiter } from '../io/limit.js';
import { FS_DIRECTORIES, type DirectoryReader } from '../io/list-directory.js';

/** Directory listings in flight ahead of the walk (see runs/discover.ts). */
const DIRECTORIES_IN_FLIGHT = 16;

export interface FoundWeights {
  files: string[];
  /** Paths that could not be walked, with why. */
  skipped: { path: string; reason: string }[];
}

export function isWeightsFileName(name: string): boolean {
  return /\.safetensors$/i.test(name);
}

/**
 * Every `.safetensors` file under the given paths (files are taken as given), de-duplicated by real
 * path, symlink loops skipped. In the order the paths were given (what the user asked for first comes
 * first, whatever the machine's directory names), each path's own files sorted for stable output.
 * `dirs` answers the listings (run discovery's `memoDirectories`, when it walked the same tree).
 */
export async function findWeightsFiles(paths: string[], dirs: DirectoryReader = FS_DIRECTORIES): Promise<FoundWeights> {
  const files = new Map<string, string>();
  const skipped: FoundWeights['skipped'] = [];
  const seenDirs = new Set<string>();
  const addFile = async (path: string) => {
    try {
      const real = await realpath(path);
      if (!files.has(real)) files.set(real, path);
    } catch {
      skipped.push({ path, reason: 'unreadable' });
    }
  };
  // Listings fetched ahead of the depth-first walk and judged in walk order, as in runs/discover.ts.
  const limit = limiter(DIRECTORIES_IN_FLIGHT);
  const fetch = (dir: string) =>
    limit(async () => {
      const real = await dirs.real(dir);
      return real === null ? null : { real, listing: await dirs.list(dir) };
    });
  const walk = async (dir: string, fetched: ReturnType<typeof fetch>): Promise<void> => {
    const got = await fetched;
    if (got === null) {
      skipped.push({ path: dir, reason: 'unreadable' });
      return;
    }
    if (seenDirs.has(got.real)) return;
    seenDirs.add(got.real);
    const listing = got.listing;
    if (!listing.ok) {
      skipped.push({ path: dir, reason: listing.error });
      return;
    }
    for (const f of listing.files) if (isWeightsFileName(f.name)) await addFile(f.path);
    // Sorted as a copy: run discovery may share this listing (memoDirectories).
    const subdirs = [...listing.subdirs].sort();
    const ahead = subdirs.map((sub) => fetch(sub));
    for (let i = 0; i < subdirs.length; i++) await walk(subdirs[i], ahead[i]);
  };
  const ordered: string[] = [];
  const takeNew = () => {
    const fresh = [...files.values()].slice(ordered.length).sort();
    ordered.push(...fresh);
  };
  for (const p of paths) {
    takeNew();
    const abs = resolve(p);
    let info;
    try {
      info = await stat(abs);
    } catch {
      skipped.push({ path: p, reason: 'no such file or directory' });
      continue;
    }
    if (info.isDirectory()) await walk(abs, fetch(abs));
    else if (info.isFile()) await addFile(abs);
  }
  takeNew();
  return { files: ordered, skipped };
}
