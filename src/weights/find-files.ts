import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { walkTree } from '../io/walk-tree.js';
import { FS_DIRECTORIES, type DirectoryReader } from '../io/list-directory.js';

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
    if (info.isDirectory()) {
      await walkTree(abs, {
        dirs,
        order: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
        seen: seenDirs,
        skip: (path, reason) => skipped.push({ path, reason }),
        visit: async (_dir, listing) => {
          for (const f of listing.files) if (isWeightsFileName(f.name)) await addFile(f.path);
        },
      });
    } else if (info.isFile()) await addFile(abs);
  }
  takeNew();
  return { files: ordered, skipped };
}
